/**
 * A rejection nobody handles inside a script is logged k6-style ("Uncaught (in promise)", original
 * file:line) instead of ending the process. Run in a child process: the test runner has its own
 * unhandled-rejection handling that must not see it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../vu/harness.ts';

const root = path.resolve(import.meta.dirname, '../../..');

describe('unhandled rejections in scripts', () => {
  it('are logged with the original file:line and the VU runs on', () => {
    const program = `
      import { loadScript } from './engine/loader/index.ts';
      import { createVu } from './engine/vu/index.ts';
      import { createLogger } from './engine/log.ts';
      const script = await loadScript(${JSON.stringify(fixture('shapes/47-unhandled-rejection.js'))});
      const sink = { define() {}, add() {} };
      const vu = await createVu(script, { idInInstance: 1, idInTest: 1, env: {}, options: {}, sink, log: createLogger(), instance: () => ({}), test: {} });
      const scenario = { name: 'default', executor: 'x', startTime: 0, progress: () => 0, iterationInInstance: 0, iterationInTest: 0 };
      for (let i = 0; i < 2; i++) console.log(await vu.runIteration({ exec: 'default', scenario, iterationInScenario: i, tags: {}, data: undefined }));
      await new Promise((r) => setTimeout(r, 20));
      console.log('still alive');
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['completed', 'completed', 'still alive']);
    const lines = r.stderr.trim().split('\n').filter((l) => l.includes('Uncaught'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('level=error msg="Uncaught (in promise) Error: nobody awaits me');
    expect(lines[0]).toMatch(/47-unhandled-rejection\.js:1:\d+/);
    expect(lines[0]).toContain('source=stacktrace');
  });
});
