// The VU pool: planned VUs up front (bounded concurrency), lowest ids handed out first, more
// initialised on demand, active/initialised counts, interrupting only the VUs handed out.
import { describe, expect, it } from 'vitest';
import { VuPool } from '../../../engine/runner/vu-pool.ts';

class FakeVu {
  interrupted: string[] = [];
  closed = false;
  constructor(readonly idInInstance: number) {}
  interrupt(reason?: string) {
    this.interrupted.push(reason ?? '');
  }
  close() {
    this.closed = true;
  }
}

describe('VuPool', () => {
  it('initialises up front, hands out lowest ids first, grows on demand', async () => {
    let concurrent = 0;
    let peak = 0;
    const pool = new VuPool<FakeVu>(async (id) => {
      concurrent++;
      peak = Math.max(peak, concurrent);
      await new Promise((r) => setTimeout(r, 1));
      concurrent--;
      return new FakeVu(id);
    });
    await pool.initUpTo(200);
    expect(pool.initialized).toBe(200);
    expect(peak).toBeLessThanOrEqual(64);
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect([a.idInInstance, b.idInInstance]).toEqual([1, 2]);
    expect(pool.active).toBe(2);
    pool.release(a);
    expect((await pool.acquire()).idInInstance).toBe(1);
    const taken = await Promise.all(Array.from({ length: 199 }, () => pool.acquire()));
    expect(pool.initialized).toBe(201);
    expect(Math.max(...taken.map((v) => v.idInInstance))).toBe(201);
    pool.interruptActive('signal');
    expect(b.interrupted).toEqual(['signal']);
    await pool.closeAll();
    expect(a.closed).toBe(true);
  });
});
