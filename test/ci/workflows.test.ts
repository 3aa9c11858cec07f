/**
 * The CI definitions, offline: .github/workflows/*.yml against GitHub's workflow schema
 * (@action-validator/core, the schema compiled in), and what each must do — ci.yml runs npm ci,
 * npm test and npm run test:stack on Node 20 and 22; nightly.yml runs .ci/nightly with
 * PROFILE=nightly on a schedule and by hand, keeps results and the HTML report, and names the
 * crossed criteria on failure; .gitlab-ci.yml does the same jobs (checked for structure: GitLab's
 * schema is not available offline). crossed-criteria.mjs is run on a real summary shape.
 */
import { validateWorkflow } from '@action-validator/core';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
type Step = { run?: string; uses?: string; with?: Record<string, unknown>; if?: string };
type Job = { steps: Step[]; strategy?: { matrix?: Record<string, unknown[]> }; env?: Record<string, string> };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, Job>; env?: Record<string, string> };

describe('GitHub workflows', () => {
  const files = readdirSync(join(root, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f));
  it('there are ci.yml and nightly.yml', () => {
    expect(files.sort()).toEqual(['ci.yml', 'nightly.yml']);
  });

  it.each(files)('%s is valid against the workflow schema', (f) => {
    const state = validateWorkflow(read(`.github/workflows/${f}`));
    expect(state.errors, JSON.stringify(state.errors, null, 2)).toEqual([]);
  });

  it('the validator does reject a broken workflow (so the check above can fail)', () => {
    expect(validateWorkflow('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n').errors.length).toBeGreaterThan(0);
    expect(validateWorkflow('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n        uses: y\n').errors.length).toBeGreaterThan(0);
  });

  it('ci.yml: npm ci, npm test and npm run test:stack, Node 20 and 22', () => {
    const wf = parse(read('.github/workflows/ci.yml')) as Workflow;
    const runs = Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm test');
    expect(runs.some((r) => r.includes('npm run test:stack'))).toBe(true);
    expect(wf.jobs.test?.strategy?.matrix?.node).toEqual([20, 22]);
  });

  it('nightly.yml: cron and manual trigger, PROFILE=nightly via .ci/nightly, artifacts, criteria named on failure', () => {
    const wf = parse(read('.github/workflows/nightly.yml')) as Workflow;
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect((wf.on.schedule as { cron: string }[])[0]?.cron).toMatch(/^(\S+ ){4}\S+$/);
    const job = Object.values(wf.jobs)[0] as Job;
    expect(job.env?.PROFILE).toBe('nightly');
    expect(job.steps.some((s) => s.run?.startsWith('.ci/nightly'))).toBe(true);
    const uploads = job.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(uploads.map((s) => String(s.with?.path))).toEqual([expect.stringContaining('results/'), 'results/**/report.html']);
    expect(uploads.every((s) => s.if === 'always()')).toBe(true);
    expect(job.steps.find((s) => s.run?.includes('crossed-criteria.mjs'))?.if).toBe('failure()');
  });
});

describe('.gitlab-ci.yml', () => {
  const ci = parse(read('.gitlab-ci.yml')) as Record<string, unknown> & { stages: string[] };
  const jobs = Object.entries(ci).filter(([k, v]) => !['stages', 'default', 'variables', 'include', 'workflow'].includes(k) && !k.startsWith('.') && typeof v === 'object') as [string, Record<string, unknown>][];
  const resolveJob = (j: Record<string, unknown>): Record<string, unknown> => (j.extends ? { ...(ci[j.extends as string] as Record<string, unknown>), ...j } : j);

  it('every job has a known stage and a script', () => {
    expect(jobs.length).toBeGreaterThan(0);
    for (const [name, j] of jobs.map(([n, j]) => [n, resolveJob(j)] as const)) {
      expect(ci.stages, name).toContain(j.stage);
      expect(Array.isArray(j.script) && (j.script as unknown[]).length > 0, `${name} has a script`).toBe(true);
    }
  });

  it('the same commands as the GitHub workflows', () => {
    const scripts = jobs.map(([n, j]) => [n, (resolveJob(j).script as string[]).join('\n')] as const);
    expect(scripts.find(([n]) => n === 'test:node20')?.[1]).toBe('npm test');
    expect(resolveJob(ci['test:node22'] as Record<string, unknown>).image).toBe('node:22-bookworm');
    expect(scripts.find(([n]) => n === 'stack')?.[1]).toContain('npm run test:stack');
    const nightly = resolveJob(ci.nightly as Record<string, unknown>);
    expect((nightly.variables as Record<string, string>).PROFILE).toBe('nightly');
    expect((nightly.script as string[])[0]).toMatch(/^\.ci\/nightly stress/);
  });
});

describe('.github/scripts/crossed-criteria.mjs', () => {
  it('names each crossed threshold of every summary.json, as GitHub error annotations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aetos-crossed-'));
    try {
      mkdirSync(join(dir, 'stress/20261201T020000Z'), { recursive: true });
      writeFileSync(
        join(dir, 'stress/20261201T020000Z/summary.json'),
        JSON.stringify({ metrics: { http_req_failed: { thresholds: { 'rate<0.05': { ok: false } } }, http_req_duration: { thresholds: { 'p(95)<500': { ok: true } } } } }),
      );
      // `load` writes k6's --summary-export: true means the threshold failed
      mkdirSync(join(dir, 'heavy'), { recursive: true });
      writeFileSync(join(dir, 'heavy/summary.json'), JSON.stringify({ metrics: { http_req_duration: { thresholds: { 'p(95)<500': true, 'p(99)<1500': false } } } }));
      const r = spawnSync(process.execPath, [join(root, '.github/scripts/crossed-criteria.mjs'), dir], { encoding: 'utf8', env: { ...process.env, GITHUB_ACTIONS: 'true' } });
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n').sort()).toEqual([
        `::error title=Pass criterion crossed::${join(dir, 'heavy/summary.json')}: pass criterion crossed: http_req_duration p(95)<500`,
        `::error title=Pass criterion crossed::${join(dir, 'stress/20261201T020000Z/summary.json')}: pass criterion crossed: http_req_failed rate<0.05`,
      ]);
      const none = spawnSync(process.execPath, [join(root, '.github/scripts/crossed-criteria.mjs'), join(dir, 'nothing')], { encoding: 'utf8' });
      expect(none.status).toBe(1);
      expect(none.stdout).toContain('no summary.json under');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
