// The upload-limit and logging items against the real reference service (in-process, 1 MB upload
// limit, pino logging to a file), and the logging item against a service that logs plain text.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggingItem } from '../../../ops/preflight/items/logging.ts';
import { uploadsItem } from '../../../ops/preflight/items/uploads.ts';
import { startTarget, type RunningTarget } from '../../../wms/index.ts';
import { hostIndependent } from '../../wms/helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-pf-target-'));
const uploadDir = path.join(dir, 'uploads');
const logFile = path.join(dir, 'api.log');
let target: RunningTarget;
let plain: http.Server;
let plainUrl = '';
const plainLog = path.join(dir, 'plain.log');

beforeAll(async () => {
  target = await startTarget({ seedUsers: 5, seedSkus: 20, rateLimitPerMinute: 0, uploadLimitMb: 1, uploadDir, ...hostIndependent }, pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true })));
  writeFileSync(plainLog, '');
  plain = http.createServer((req, res) => {
    appendFileSync(plainLog, `GET ${req.url} 200\n`);
    res.end('{}');
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await target?.close();
  await new Promise((r) => plain?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const base = { user: 'user0001', password: 'Passw0rd!', timeoutMs: 20_000 };

describe('preflight upload-limit item', () => {
  it('passes: just under 1 MB is accepted, just over answers 413, and nothing is left in the upload folder', async () => {
    const r = await uploadsItem({ url: target.url, limitMb: 1, dir: uploadDir, ...base });
    expect(r.status, r.reason).toBe('pass');
    expect(r.measured).toMatchObject({ underStatus: 201, overStatus: 413 });
    expect(r.reason).toContain(`nothing left in ${uploadDir}`);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('fails when the configured limit is above the service\'s (just under is refused with 413)', async () => {
    const r = await uploadsItem({ url: target.url, limitMb: 2, ...base });
    expect(r.status).toBe('fail');
    expect(r.reason).toMatch(/just under 2 MB\) was refused: HTTP 413/);
  });

  it('fails when the configured limit is below the service\'s (just over is accepted)', async () => {
    const r = await uploadsItem({ url: target.url, limitMb: 0.5, ...base });
    expect(r.status).toBe('fail');
    expect(r.reason).toMatch(/just over 0\.5 MB\) answered HTTP 201, not 413/);
  });
});

describe('preflight logging item', () => {
  it('passes when the probe id shows up in the service\'s log file as a JSON line', async () => {
    const r = await loggingItem({ url: target.url, file: logFile, timeoutMs: 5000 });
    expect(r.status, r.reason).toBe('pass');
    expect(r.reason).toContain('as a JSON line');
  });

  it('reads the log through a command too', async () => {
    const r = await loggingItem({ url: target.url, command: `cat ${logFile}`, timeoutMs: 5000 });
    expect(r.status, r.reason).toBe('pass');
  });

  it('warns when the line is there but not structured', async () => {
    const r = await loggingItem({ url: plainUrl, file: plainLog, timeoutMs: 5000 });
    expect(r.status).toBe('warn');
    expect(r.reason).toContain('not structured');
  });

  it('fails when the probe never shows up, naming the id and the source', async () => {
    const silent = path.join(dir, 'silent.log');
    writeFileSync(silent, '{"msg":"old line"}\n');
    const r = await loggingItem({ url: target.url, file: silent, waitMs: 600, timeoutMs: 5000 });
    expect(r.status).toBe('fail');
    expect(r.reason).toMatch(/probe aetos-preflight-[0-9a-f-]+ not found in .*silent\.log/);
  });
});
