// The run header's scenario lines, in k6's wording, from normalised scenario configs.
import { describe, expect, it } from 'vitest';
import { normalizeScenarios } from '../../../engine/executors/index.ts';
import { describeScenario } from '../../../engine/runner/header.ts';

const one = (options: Record<string, unknown>) => Object.values(normalizeScenarios(options))[0]!;

describe('describeScenario', () => {
  it('shortcuts', () => {
    expect(describeScenario(one({ vus: 10, duration: '30s' }))).toBe('10 looping VUs for 30s (gracefulStop: 30s)');
    expect(describeScenario(one({ vus: 2, iterations: 10 }))).toBe('10 iterations shared among 2 VUs (maxDuration: 10m0s, gracefulStop: 30s)');
    expect(describeScenario(one({ stages: [{ duration: '10s', target: 5 }, { duration: '20s', target: 0 }] }))).toBe(
      'Up to 5 looping VUs for 30s over 2 stages (gracefulRampDown: 30s, gracefulStop: 30s)',
    );
  });
  it('arrival rates and startTime', () => {
    const c = one({ scenarios: { a: { executor: 'constant-arrival-rate', rate: 30, timeUnit: '1m', duration: '1m', preAllocatedVUs: 2, maxVUs: 5, startTime: '5s' } } });
    expect(describeScenario(c)).toBe('0.50 iterations/s for 1m0s (maxVUs: 2-5, startTime: 5s, gracefulStop: 30s)');
  });
});
