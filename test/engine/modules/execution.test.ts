/** `k6/execution` on real VUs: every field, exec.vu.tags merged into samples, test.fail / test.abort. */
import { describe, expect, it } from 'vitest';
import { TestAborted } from '../../../engine/errors.ts';
import { harness, scenario } from '../vu/harness.ts';

describe('k6/execution', () => {
  it('k6/execution exposes every field; exec.vu.tags are merged into samples', async () => {
    const h = await harness('modules/execution.js');
    const vu = await h.vu(2, {}, { tags: { team: 'wms' } });
    await h.iterate(vu, 1, { scenario: scenario('s1', { executor: 'constant-vus', iterationInInstance: 4, iterationInTest: 9 }) });
    const seen = JSON.parse(h.rec.console[0] as string);
    expect(seen).toEqual({
      initError: 'getting scenario information outside of an iteration is not supported',
      vu: [2, 102, 0, 0],
      tags: { team: 'wms', scenario: 's1', custom: '7' },
      metricsTags: '7',
      scenario: ['s1', 'constant-vus', 'number', 0.5, 4, 9],
      instance: [7, 2, 2, 1234, 0],
      options: { team: 'wms' },
    });
    expect(h.rec.of('checks')[0]?.tags).toEqual({ team: 'wms', scenario: 's1', custom: '7', group: '', check: 'tagged' });
  });

  it('exec.vu.tags: each set, same-value set, delete and defineProperty is seen by the next sample; an object value is refused', async () => {
    const h = await harness('modules/execution-tags.js');
    const vu = await h.vu(1, {}, { tags: { team: 'wms' } });
    await h.iterate(vu, 2, { scenario: scenario('s1') });
    const base = { team: 'wms', scenario: 's1', group: '' };
    const first = h.rec.of('checks').slice(0, 7).map((s) => s.tags);
    expect(first).toEqual([
      { ...base, check: 'before' },
      { ...base, x: '1', check: 'set' },
      { ...base, x: '1', check: 'again' },
      { ...base, x: 'two', check: 'changed' },
      { ...base, check: 'deleted' },
      { ...base, y: 'true', check: 'defined' },
      { ...base, y: 'true', check: 'refused' },
    ]);
    // the second iteration starts with what the first left (y), as in k6
    expect(h.rec.of('checks')[7]?.tags).toEqual({ ...base, y: 'true', check: 'before' });
    const seen = JSON.parse(h.rec.console[0] as string);
    expect(seen.refused).toMatch(/exec.vu.tags: the value of "z" must be a string, number or boolean/);
    expect(seen.tags).toEqual({ team: 'wms', scenario: 's1', y: 'true' });
    expect(seen.keys.sort()).toEqual(['scenario', 'team', 'y']);
  });

  it('exec.test.fail marks the test failed and goes on; exec.test.abort stops the iteration', async () => {
    const h = await harness('modules/execution.js');
    const failing = await h.vu(1, { FAIL: '1' });
    expect(await h.iterate(failing, 1)).toEqual(['completed']);
    expect(h.failed).toEqual(['marked']);
    const aborting = await h.vu(2, { ABORT: '1' });
    expect(await h.iterate(aborting, 1)).toEqual(['interrupted']);
    expect(h.aborted).toEqual(['enough']);
    expect(h.rec.console.some((l) => l === 'not reached')).toBe(false);
    expect(h.rec.errors).toEqual([]);
  });

  it('scenario values follow the iteration; __ITER and iterationInInstance agree', async () => {
    const h = await harness('modules/execution.js');
    const vu = await h.vu(1);
    await h.iterate(vu, 1, { scenario: scenario('a', { iterationInInstance: 0 }) });
    await h.iterate(vu, 1, { scenario: scenario('b', { executor: 'shared-iterations', iterationInInstance: 1 }) });
    const [first, second] = h.rec.console.map((l) => JSON.parse(l));
    expect(first.scenario[0]).toBe('a');
    expect(second.scenario.slice(0, 2)).toEqual(['b', 'shared-iterations']);
    expect(second.vu[2]).toBe(1);
    expect(second.tags.scenario).toBe('b');
  });
  it('exec.test.abort() in init code or in setup() ends the test with 108, not as a script error', async () => {
    const h = await harness('modules/abort-in-lifecycle.js');
    const initErr = await h.vu(1, { ABORT_INIT: '1' }).catch((e: unknown) => e);
    expect(initErr).toBeInstanceOf(TestAborted);
    expect((initErr as TestAborted).exitCode).toBe(108);
    const vu = await h.vu(0, { ABORT_SETUP: '1' });
    const setupErr = await vu.callLifecycle('setup').catch((e: unknown) => e);
    expect(setupErr).toBeInstanceOf(TestAborted);
    expect(h.aborted).toEqual(['init says stop', 'setup says stop']);
  });
});

