import { describe, expect, it } from 'vitest';
import { normalizeScenarios } from '../../../engine/executors/index.ts';
import { ConfigError } from '../../../engine/errors.ts';

function error(options: Record<string, unknown>): ConfigError {
  try {
    normalizeScenarios(options);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).exitCode).toBe(104);
    return e as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

const common = { startTime: 0, gracefulStop: 30_000, exec: 'default', env: {}, tags: {} };

describe('normalizeScenarios: shortcuts', () => {
  it('nothing at all: 1 iteration on 1 VU (per-vu-iterations)', () => {
    expect(normalizeScenarios({})).toEqual({
      default: { ...common, executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: 600_000 },
    });
  });

  it('vus + duration: constant-vus', () => {
    expect(normalizeScenarios({ vus: 10, duration: '1m30s' })).toEqual({
      default: { ...common, executor: 'constant-vus', vus: 10, duration: 90_000 },
    });
    expect(normalizeScenarios({ duration: 5000 }).default).toMatchObject({ vus: 1, duration: 5000 });
  });

  it('iterations (+ vus, + duration as maxDuration): shared-iterations', () => {
    expect(normalizeScenarios({ vus: 10, iterations: 100 })).toEqual({
      default: { ...common, executor: 'shared-iterations', vus: 10, iterations: 100, maxDuration: 600_000 },
    });
    expect(normalizeScenarios({ iterations: 5, duration: '30s' }).default).toMatchObject({ executor: 'shared-iterations', vus: 1, maxDuration: 30_000 });
  });

  it('stages (+ vus as startVUs): ramping-vus', () => {
    expect(normalizeScenarios({ vus: 2, stages: [{ duration: '10s', target: 5 }, { duration: 500, target: 0 }] })).toEqual({
      default: {
        ...common,
        executor: 'ramping-vus',
        startVUs: 2,
        stages: [
          { duration: 10_000, target: 5 },
          { duration: 500, target: 0 },
        ],
        gracefulRampDown: 30_000,
      },
    });
  });

  it('an empty stages list is no shortcut; vus alongside scenarios is ignored', () => {
    const s = normalizeScenarios({ vus: 7, stages: [], scenarios: { a: { executor: 'constant-vus', duration: '1s' } } });
    expect(s.a).toMatchObject({ vus: 1, duration: 1000 });
  });
});

describe('normalizeScenarios: scenarios and defaults', () => {
  it('applies every executor default', () => {
    const s = normalizeScenarios({
      scenarios: {
        si: { executor: 'shared-iterations' },
        pv: { executor: 'per-vu-iterations', exec: 'login', env: { A: '1' }, tags: { t: 'x' }, startTime: '10s', gracefulStop: '5s' },
        cv: { executor: 'constant-vus', duration: '1s' },
        rv: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 1 }] },
        car: { executor: 'constant-arrival-rate', rate: 5, duration: '1s', preAllocatedVUs: 2 },
        rar: { executor: 'ramping-arrival-rate', stages: [{ duration: '1s', target: 1 }], preAllocatedVUs: 1, maxVUs: 3 },
      },
    });
    expect(s.si).toEqual({ ...common, executor: 'shared-iterations', vus: 1, iterations: 1, maxDuration: 600_000 });
    expect(s.pv).toEqual({ ...common, executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: 600_000, exec: 'login', env: { A: '1' }, tags: { t: 'x' }, startTime: 10_000, gracefulStop: 5000 });
    expect(s.cv).toEqual({ ...common, executor: 'constant-vus', vus: 1, duration: 1000 });
    expect(s.rv).toEqual({ ...common, executor: 'ramping-vus', startVUs: 1, stages: [{ duration: 1000, target: 1 }], gracefulRampDown: 30_000 });
    expect(s.car).toEqual({ ...common, executor: 'constant-arrival-rate', rate: 5, timeUnit: 1000, duration: 1000, preAllocatedVUs: 2, maxVUs: 2 });
    expect(s.rar).toEqual({ ...common, executor: 'ramping-arrival-rate', startRate: 0, timeUnit: 1000, stages: [{ duration: 1000, target: 1 }], preAllocatedVUs: 1, maxVUs: 3 });
  });
});

describe('normalizeScenarios: validation names the option and why', () => {
  it.each([
    [{ iterations: 5, stages: [{ duration: '1s', target: 1 }] }, 'invalid option stages: can\'t be used together with `iterations`; use one execution shortcut, or `scenarios`'],
    [{ duration: '1s', scenarios: { a: { executor: 'constant-vus', duration: '1s' } } }, 'invalid option duration: the execution shortcut and `scenarios` can\'t be used together'],
    [{ vus: -1, duration: '10s' }, 'invalid option vus: must not be negative, got -1'],
    [{ vus: 1.5, duration: '10s' }, 'invalid option vus: expected a whole number, got 1.5'],
    [{ vus: 0, duration: '10s' }, 'invalid option vus: must be at least 1, got 0'],
    [{ vus: 10, iterations: 5 }, "invalid option iterations: the number of iterations (5) can't be less than the number of VUs (10)"],
    [{ duration: '0s' }, 'invalid option duration: must be at least 1s, got "0s"'],
    [{ duration: '10' + 'x' }, 'invalid option duration: "10x" is not a duration'],
    [{ iterations: 3, duration: 'soon' }, 'invalid option duration: "soon" is not a duration'],
    [{ stages: [{ duration: '10s', target: 5 }, { duration: '-1s', target: 2 }] }, 'invalid option stages[1].duration: must not be negative, got -1s'],
    [{ stages: [{ duration: '10s', target: -5 }] }, 'invalid option stages[0].target: must not be negative, got -5'],
    [{ scenarios: {} }, 'invalid option scenarios: at least one scenario is required'],
    [{ scenarios: [] }, 'invalid option scenarios: expected an object of named scenarios, got an array'],
    [{ scenarios: { 'my scenario': { executor: 'constant-vus', duration: '1s' } } }, 'invalid option scenarios.my scenario: a scenario name may contain only letters, digits, underscores and dashes'],
    [{ scenarios: { a: 5 } }, 'invalid option scenarios.a: expected an object with an executor, got 5'],
    [{ scenarios: { a: {} } }, 'invalid option scenarios.a.executor: is required, one of shared-iterations, per-vu-iterations'],
    [{ scenarios: { a: { executor: 'constant-looping-vus' } } }, 'invalid option scenarios.a.executor: "constant-looping-vus" is not a k6 executor; use one of shared-iterations'],
    [{ scenarios: { a: { executor: 'externally-controlled' } } }, 'invalid option scenarios.a.executor: "externally-controlled" is not supported by this engine'],
    [{ scenarios: { a: { executor: 'constant-vus' } } }, 'invalid option scenarios.a.duration: is required (e.g. "30s")'],
    [{ scenarios: { a: { executor: 'constant-vus', duration: '500ms' } } }, 'invalid option scenarios.a.duration: must be at least 1s, got "500ms"'],
    [{ scenarios: { a: { executor: 'constant-vus', duration: '1s', vus: '10' } } }, 'invalid option scenarios.a.vus: expected a whole number, got "10"'],
    [{ scenarios: { a: { executor: 'constant-vus', duration: '1s', startTime: '-1s' } } }, 'invalid option scenarios.a.startTime: must not be negative, got -1s'],
    [{ scenarios: { a: { executor: 'constant-vus', duration: '1s', gracefulStop: '-5s' } } }, 'invalid option scenarios.a.gracefulStop: must not be negative, got -5s'],
    [{ scenarios: { a: { executor: 'constant-vus', duration: '1s', gracefulStop: true } } }, 'invalid option scenarios.a.gracefulStop: expected a duration such as "30s"'],
    [{ scenarios: { a: { executor: 'constant-vus', duration: '1s', exec: 'my-fn' } } }, 'invalid option scenarios.a.exec: "my-fn" is not the name of an exported function'],
    [{ scenarios: { a: { executor: 'constant-vus', duration: '1s', env: { N: 5 } } } }, 'invalid option scenarios.a.env.N: expected a string, got 5'],
    [{ scenarios: { a: { executor: 'constant-vus', duration: '1s', tags: 'x' } } }, 'invalid option scenarios.a.tags: expected an object of strings, got "x"'],
    [{ scenarios: { a: { executor: 'shared-iterations', iterations: 0 } } }, 'invalid option scenarios.a.iterations: must be at least 1, got 0'],
    [{ scenarios: { a: { executor: 'shared-iterations', maxDuration: '100ms' } } }, 'invalid option scenarios.a.maxDuration: must be at least 1s, got "100ms"'],
    [{ scenarios: { a: { executor: 'per-vu-iterations', vus: 0 } } }, 'invalid option scenarios.a.vus: must be at least 1, got 0'],
    [{ scenarios: { ramp: { executor: 'ramping-vus' } } }, 'invalid option scenarios.ramp.stages: at least one stage is required'],
    [{ scenarios: { ramp: { executor: 'ramping-vus', stages: [] } } }, 'invalid option scenarios.ramp.stages: at least one stage is required'],
    [{ scenarios: { ramp: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 1 }, { duration: 'x', target: 1 }] } } }, 'invalid option scenarios.ramp.stages[1].duration: "x" is not a duration'],
    [{ scenarios: { ramp: { executor: 'ramping-vus', stages: [{ target: 1 }] } } }, 'invalid option scenarios.ramp.stages[0].duration: is required'],
    [{ scenarios: { ramp: { executor: 'ramping-vus', stages: [{ duration: '1s' }] } } }, 'invalid option scenarios.ramp.stages[0].target: is required (the number of VUs to reach)'],
    [{ scenarios: { ramp: { executor: 'ramping-vus', stages: [5] } } }, 'invalid option scenarios.ramp.stages[0]: expected { duration, target }, got 5'],
    [{ scenarios: { ramp: { executor: 'ramping-vus', startVUs: -1, stages: [{ duration: '1s', target: 1 }] } } }, 'invalid option scenarios.ramp.startVUs: must not be negative, got -1'],
    [{ scenarios: { ramp: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 0 }] } } }, "invalid option scenarios.ramp.stages: either startVUs or one of the stages' target must be more than 0"],
    [{ scenarios: { ramp: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 1 }], gracefulRampDown: '-1s' } } }, 'invalid option scenarios.ramp.gracefulRampDown: must not be negative, got -1s'],
    [{ scenarios: { r: { executor: 'constant-arrival-rate', duration: '1s', preAllocatedVUs: 1 } } }, 'invalid option scenarios.r.rate: is required (iterations to start per timeUnit)'],
    [{ scenarios: { r: { executor: 'constant-arrival-rate', rate: 0, duration: '1s', preAllocatedVUs: 1 } } }, 'invalid option scenarios.r.rate: must be more than 0, got 0'],
    [{ scenarios: { r: { executor: 'constant-arrival-rate', rate: 2.5, duration: '1s', preAllocatedVUs: 1 } } }, 'invalid option scenarios.r.rate: expected a whole number, got 2.5'],
    [{ scenarios: { r: { executor: 'constant-arrival-rate', rate: 1, preAllocatedVUs: 1 } } }, 'invalid option scenarios.r.duration: is required'],
    [{ scenarios: { r: { executor: 'constant-arrival-rate', rate: 1, duration: '1s' } } }, 'invalid option scenarios.r.preAllocatedVUs: is required (number of VUs to initialise before the test)'],
    [{ scenarios: { r: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 5, maxVUs: 2 } } }, "invalid option scenarios.r.maxVUs: can't be less than preAllocatedVUs (2 < 5)"],
    [{ scenarios: { r: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 0 } } }, 'invalid option scenarios.r.preAllocatedVUs: either preAllocatedVUs or maxVUs must be more than 0'],
    [{ scenarios: { r: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 1, timeUnit: '0s' } } }, 'invalid option scenarios.r.timeUnit: must be more than 0, got 0s'],
    [{ scenarios: { r: { executor: 'ramping-arrival-rate', preAllocatedVUs: 1, startRate: -1, stages: [{ duration: '1s', target: 1 }] } } }, 'invalid option scenarios.r.startRate: must not be negative, got -1'],
    [{ scenarios: { r: { executor: 'ramping-arrival-rate', preAllocatedVUs: 1, stages: [{ duration: '0s', target: 1 }] } } }, 'invalid option scenarios.r.stages: the stages must last longer than 0s in total'],
    [{ scenarios: { r: { executor: 'ramping-arrival-rate', preAllocatedVUs: 1, stages: [{ duration: '1s', target: -3 }] } } }, 'invalid option scenarios.r.stages[0].target: must not be negative, got -3'],
    [{ scenarios: { r: { executor: 'ramping-arrival-rate', preAllocatedVUs: 1, stages: [{ duration: '1s', target: 1 }] } }, scenarios2: 1 }, null],
  ])('%j', (options, text) => {
    if (text === null) {
      expect(() => normalizeScenarios(options)).not.toThrow();
      return;
    }
    expect(error(options).message).toContain(text);
  });
});
