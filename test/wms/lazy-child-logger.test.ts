// A request's logger makes its pino child on its first line (wms/lazy-child-logger.ts): nothing for
// the requests that log nothing, and every line the same as an eager child's.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startTarget, type RunningTarget } from '../../wms/index.ts';
import { lazyChildLogger } from '../../wms/lazy-child-logger.ts';
import { hostIndependent } from './helpers.ts';

type Line = Record<string, unknown> & { msg: string; level: number };

function logger(level: string): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Line);
      cb();
    },
  });
  return { log: pino({ level, timestamp: false, base: { app: 'wms' } }, sink), lines };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('lazyChildLogger', () => {
  it('makes no child until a line is written at an enabled level, then writes what an eager child writes', async () => {
    const lazy = logger('info');
    const eager = logger('info');
    const child = vi.spyOn(lazy.log, 'child');
    const l = lazyChildLogger(lazy.log, { reqId: 'req-7' }, {}) as unknown as Logger;
    const e = eager.log.child({ reqId: 'req-7' }, {});
    l.debug('not written');
    l.trace({ a: 1 }, 'not written either');
    expect(l.isLevelEnabled('debug')).toBe(false);
    expect(l.level).toBe('info');
    expect(child).not.toHaveBeenCalled();
    for (const x of [l, e]) {
      x.info({ statusCode: 200 }, 'request completed');
      if (x === l) expect(child.mock.calls).toEqual([[{ reqId: 'req-7' }, {}]]); // made by its first line, once
      x.error({ err: new Error('boom') }, 'request failed');
      x.warn('plain %s', 'format');
      x.child({ sub: 1 }).info('from a grandchild');
    }
    await flush();
    const strip = (ls: Line[]) => ls.map(({ err, ...rest }) => ({ ...rest, err: (err as { message?: string } | undefined)?.message }));
    expect(strip(lazy.lines)).toEqual(strip(eager.lines));
    expect(lazy.lines.map((x) => x.reqId)).toEqual(['req-7', 'req-7', 'req-7', 'req-7']);
    expect(lazy.lines[3].sub).toBe(1);
  });

  it("keeps a route's own level: a debug child of an info parent writes its debug lines", async () => {
    const { log, lines } = logger('info');
    const l = lazyChildLogger(log, { reqId: 'req-1' }, { level: 'debug' }) as unknown as Logger;
    expect(l.level).toBe('debug');
    expect(l.isLevelEnabled('debug')).toBe(true);
    l.debug('a debug line');
    await flush();
    expect(lines.map((x) => [x.msg, x.reqId])).toEqual([['a debug line', 'req-1']]);
    l.level = 'error';
    l.info('not written');
    await flush();
    expect(lines).toHaveLength(1);
  });
});

describe("the target's request logger", () => {
  let t: RunningTarget | undefined;
  afterAll(async () => {
    await t?.close();
  });

  it("binds each request's lines to its id: a route's own line and its request line share it", async () => {
    const { log, lines } = logger('info');
    t = await startTarget({ seedUsers: 2, seedSkus: 10, rateLimitPerMinute: 0, requestLogPerSecond: 1000, ...hostIndependent }, log);
    for (let i = 0; i < 3; i++) expect((await fetch(`${t.url}/api/health?i=${i}`)).status).toBe(200);
    // the fault admin route logs 'faults changed' through req.log
    const set = await fetch(`${t.url}/api/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-admin-token': t.adminToken }, body: '{"errorRate":1}' });
    expect(set.status).toBe(200);
    const r = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"user0001","password":"x"}' });
    expect(r.status).toBe(500);
    t.ctx.faults.merge({ errorRate: 0 });
    await new Promise((r) => setTimeout(r, 50));
    const changed = lines.filter((l) => l.msg === 'faults changed');
    expect(changed).toHaveLength(1);
    const adminLine = lines.filter((l) => l.msg === 'request completed' && l.url === '/api/admin/faults');
    expect(adminLine).toHaveLength(1);
    expect(changed[0].reqId).toEqual(expect.any(String));
    expect(adminLine[0].reqId).toBe(changed[0].reqId);
    const health = lines.filter((l) => l.msg === 'request completed' && String(l.url).startsWith('/api/health?i='));
    expect(health).toHaveLength(3);
    expect(new Set(health.map((l) => l.reqId)).size).toBe(3);
    expect(health.every((l) => typeof l.reqId === 'string' && l.app === 'wms')).toBe(true);
    const failed = lines.filter((l) => l.url === '/api/auth/login' && l.msg === 'request completed');
    expect(failed).toHaveLength(1);
    expect(failed[0].level).toBe(50);
    expect(failed[0].reqId).toEqual(expect.any(String));
    expect([...health, adminLine[0]].map((l) => l.reqId)).not.toContain(failed[0].reqId);
  });
});
