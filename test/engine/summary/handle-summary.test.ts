/**
 * produceSummary: the default summary without handleSummary; handleSummary's map written to
 * stdout, stderr and files (folders created, ArrayBuffers as bytes); a throwing or malformed
 * handleSummary still prints the default summary; summaryMode disabled prints nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../engine/log.ts';
import { produceSummary, writeSummaryResult } from '../../../engine/summary/index.ts';
import { sampleRun } from '../metrics/sample-run.ts';
import { tempDir } from '../../temp-dir.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const cwd = tempDir('aetos-summary-');
  const toText = (c: string | Uint8Array) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
  return {
    out,
    err,
    logs,
    cwd,
    stdout: { write: (c: string | Uint8Array) => out.push(toText(c)) },
    stderr: { write: (c: string | Uint8Array) => err.push(toText(c)) },
    log: createLogger({ write: (l) => logs.push(l) }),
  };
}

describe('produceSummary', () => {
  const { data } = sampleRun();

  it('prints the default text summary when there is no handleSummary', async () => {
    const s = io();
    expect(await produceSummary({ data, ...s })).toBe(true);
    expect(s.out.join('')).toContain('█ TOTAL RESULTS');
    expect(s.err).toEqual([]);
  });

  it('summaryMode disabled prints nothing; full shows the phases', async () => {
    const s = io();
    await produceSummary({ data, ...s, summaryMode: 'disabled' });
    expect(s.out).toEqual([]);
    const f = io();
    await produceSummary({ data, ...f, summaryMode: 'full' });
    expect(f.out.join('')).toContain('http_req_waiting');
  });

  it('writes the returned map: stdout, stderr, nested file paths, ArrayBuffer content', async () => {
    const s = io();
    let seen: unknown;
    const ok = await produceSummary({
      data,
      ...s,
      handleSummary: async (d) => {
        seen = d;
        return {
          stdout: 'to stdout\n',
          stderr: 'to stderr\n',
          'reports/deep/summary.json': JSON.stringify(d),
          'bin.dat': new Uint8Array([1, 2, 3]).buffer,
        };
      },
    });
    expect(ok).toBe(true);
    expect(s.out).toEqual(['to stdout\n']);
    expect(s.err).toEqual(['to stderr\n']);
    expect(JSON.parse(readFileSync(join(s.cwd, 'reports/deep/summary.json'), 'utf8'))).toEqual(data);
    expect([...readFileSync(join(s.cwd, 'bin.dat'))]).toEqual([1, 2, 3]);
    expect(seen).toEqual(data);
    expect(seen).not.toBe(data); // a copy: the script cannot change what outputs see
  });

  it('no default summary when handleSummary returns a map without stdout', async () => {
    const s = io();
    await produceSummary({ data, ...s, handleSummary: () => ({ [join(s.cwd, 'only-file.txt')]: 'x' }) });
    expect(s.out).toEqual([]);
    expect(readFileSync(join(s.cwd, 'only-file.txt'), 'utf8')).toBe('x');
  });

  it('if handleSummary throws, the error is logged and the default summary still prints', async () => {
    const s = io();
    const ok = await produceSummary({
      data,
      ...s,
      handleSummary: () => {
        throw new Error('boom in handleSummary');
      },
    });
    expect(ok).toBe(true);
    expect(s.out.join('')).toContain('█ TOTAL RESULTS');
    expect(s.logs.join('\n')).toMatch(/handleSummary\(\) failed with error .*boom in handleSummary.*falling back to the default summary/);
  });

  it('a non-object result prints the default summary too', async () => {
    const s = io();
    await produceSummary({ data, ...s, handleSummary: () => 'just a string' });
    expect(s.out.join('')).toContain('█ TOTAL RESULTS');
    expect(s.logs.join('\n')).toContain('handleSummary() must return an object');
  });

  it('unwritable entries are reported after the others were written', async () => {
    const s = io();
    const ok = await produceSummary({ data, ...s, handleSummary: () => ({ stdout: 'fine\n', 'x.json': 42, [join(s.cwd, 'ok.txt')]: 'y' }) });
    expect(ok).toBe(false);
    expect(s.out).toEqual(['fine\n']);
    expect(readFileSync(join(s.cwd, 'ok.txt'), 'utf8')).toBe('y');
    expect(s.logs.join('\n')).toContain('handleSummary() returned a number for \\"x.json\\"');
  });

  it('writeSummaryResult names a path it cannot write', () => {
    const s = io();
    writeSummaryResult({ 'plain-file': 'x' }, s);
    // a folder under a regular file cannot be created (ENOTDIR)
    expect(() => writeSummaryResult({ 'plain-file/sub/here.txt': 'x' }, s)).toThrow(`could not write the summary to ${join(s.cwd, 'plain-file/sub/here.txt')}: ENOTDIR`);
  });
});
