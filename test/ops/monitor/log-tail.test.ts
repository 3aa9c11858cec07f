import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogTail, isErrorLine } from '../../../ops/monitor/log-tail.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-tail-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('error lines', () => {
  it('recognises pino, logfmt and plain error lines, and not mere mentions', () => {
    expect(isErrorLine('{"level":50,"msg":"db failed"}')).toBe(true);
    expect(isErrorLine('{"level":60,"msg":"fatal"}')).toBe(true);
    expect(isErrorLine('{"level":30,"msg":"error count is 0"}')).toBe(false);
    expect(isErrorLine('{"level":"error","msg":"x"}')).toBe(true);
    expect(isErrorLine('time="…" level=error msg="boom"')).toBe(true);
    expect(isErrorLine('time="…" level=info msg="no error here"')).toBe(false);
    expect(isErrorLine('2026-11-28 12:00:00 ERROR connection reset')).toBe(true);
    expect(isErrorLine('[FATAL] out of memory')).toBe(true);
    expect(isErrorLine('retrying after an error')).toBe(false);
  });
});

describe('LogTail', () => {
  it('counts only new lines from the end at start, across partial lines, and starts over after truncation', async () => {
    const file = path.join(dir, 'app.log');
    await writeFile(file, '{"level":50,"msg":"old error, before the watch"}\n');
    const tail = new LogTail(file);
    await tail.start();
    expect(await tail.read()).toEqual({ newLines: 0, newErrors: 0, errorLines: [] });
    await appendFile(file, '{"level":30,"msg":"ok"}\n{"level":50,"msg":"new 1"}\n{"level":5');
    const a = await tail.read();
    expect(a).toMatchObject({ newLines: 2, newErrors: 1 });
    expect(a.errorLines).toEqual(['{"level":50,"msg":"new 1"}']);
    await appendFile(file, '0,"msg":"completed later"}\n');
    expect(await tail.read()).toMatchObject({ newLines: 1, newErrors: 1 });
    await writeFile(file, 'ERROR after rotation\n'); // shorter than before: rotated
    expect(await tail.read()).toMatchObject({ newLines: 1, newErrors: 1 });
  });

  it('waits for a file that does not exist yet', async () => {
    const file = path.join(dir, 'later.log');
    const tail = new LogTail(file);
    await tail.start();
    expect((await tail.read()).newLines).toBe(0);
    await writeFile(file, 'level=error msg=x\n');
    expect(await tail.read()).toMatchObject({ newLines: 1, newErrors: 1 });
  });
});
