/** k6/data SharedArray: built once per process, deep-frozen, shared by every VU, init only. */
import { describe, expect, it } from 'vitest';
import { harness } from '../vu/harness.ts';

describe('SharedArray', () => {
  it('is built once, frozen, and the same array in every VU', async () => {
    const h = await harness('modules/shared-array.js');
    const vu1 = await h.vu(1);
    const vu2 = await h.vu(2);
    await h.iterate(vu1, 1);
    await h.iterate(vu2, 1);
    expect(h.rec.console).toEqual([
      'vu 1 built 1 len 2 first ann threw TypeError frozen true late SharedArray can be constructed only in the init context',
      'vu 2 built 0 len 2 first ann threw TypeError frozen true late SharedArray can be constructed only in the init context',
    ]);
  });
});
