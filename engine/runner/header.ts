/**
 * The run header k6 prints before a test (on stdout):
 *
 *      execution: local
 *         script: test/light.ts
 *         output: json (results.json)
 *
 *      scenarios: (100.00%) 2 scenarios, 30 max VUs, 1m30s max duration (incl. graceful stop):
 *               * default: 10 looping VUs for 30s (gracefulStop: 30s)
 *
 * Scenario lines follow k6's wording per executor, built from the normalised scenario configs.
 */
import type { ScenarioConfig } from '../executors/index.ts';
import { formatDuration } from '../duration.ts';
import type { Executor } from '../types.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function stagesInfo(stages: { duration: number; target: number }[]): { max: number; total: number } {
  return { max: Math.max(0, ...stages.map((s) => s.target)), total: stages.reduce((a, s) => a + s.duration, 0) };
}

const perSecond = (rate: number, timeUnit: number) => ((rate * 1000) / timeUnit).toFixed(2);

/** k6's one-line description of a scenario. */
export function describeScenario(c: ScenarioConfig): string {
  const grace = `gracefulStop: ${formatDuration(c.gracefulStop)}`;
  const start = c.startTime > 0 ? `startTime: ${formatDuration(c.startTime)}, ` : '';
  switch (c.executor) {
    case 'shared-iterations':
      return `${plural(c.iterations, 'iteration')} shared among ${plural(c.vus, 'VU')} (maxDuration: ${formatDuration(c.maxDuration)}, ${start}${grace})`;
    case 'per-vu-iterations':
      return `${plural(c.iterations, 'iteration')} for each of ${plural(c.vus, 'VU')} (maxDuration: ${formatDuration(c.maxDuration)}, ${start}${grace})`;
    case 'constant-vus':
      return `${c.vus} looping VUs for ${formatDuration(c.duration)} (${start}${grace})`;
    case 'ramping-vus': {
      const s = stagesInfo(c.stages);
      return `Up to ${Math.max(s.max, c.startVUs)} looping VUs for ${formatDuration(s.total)} over ${plural(c.stages.length, 'stage')} (gracefulRampDown: ${formatDuration(c.gracefulRampDown)}, ${start}${grace})`;
    }
    case 'constant-arrival-rate':
      return `${perSecond(c.rate, c.timeUnit)} iterations/s for ${formatDuration(c.duration)} (maxVUs: ${c.preAllocatedVUs}-${c.maxVUs}, ${start}${grace})`;
    case 'ramping-arrival-rate': {
      const s = stagesInfo(c.stages);
      return `Up to ${perSecond(Math.max(s.max, c.startRate), c.timeUnit)} iterations/s for ${formatDuration(s.total)} over ${plural(c.stages.length, 'stage')} (maxVUs: ${c.preAllocatedVUs}-${c.maxVUs}, ${start}${grace})`;
    }
  }
}

export interface HeaderInput {
  script: string;
  outputs: string[];
  /** This instance's share of the test, 0..1 (1 when not segmented). */
  share: number;
  scenarios: Record<string, ScenarioConfig>;
  executors: Executor[];
  maxVus: number;
}

export function renderHeader(h: HeaderInput): string {
  const names = Object.keys(h.scenarios);
  const maxDuration = Math.max(0, ...h.executors.map((e) => e.startTime + e.maxDuration()));
  const lines = [
    '',
    `     execution: local`,
    `        script: ${h.script}`,
    `        output: ${h.outputs.length > 0 ? h.outputs.join(', ') : '-'}`,
    '',
    `     scenarios: (${(h.share * 100).toFixed(2)}%) ${plural(names.length, 'scenario')}, ${h.maxVus} max VUs, ${formatDuration(maxDuration)} max duration (incl. graceful stop):`,
    ...names.map((n) => `              * ${n}: ${describeScenario(h.scenarios[n] as ScenarioConfig)}`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
