// Config precedence end to end, as the script sees it through exec.test.options and __ENV:
// script options < K6_* env < flags; -e beats the system environment.
import { describe, expect, it } from 'vitest';
import { fixture, runCli } from './run-cli.ts';

function optionsLine(stderr: string): string {
  return /OPTIONS ([^"]*)/.exec(stderr)?.[1] ?? `no OPTIONS line in: ${stderr}`;
}

describe('precedence through a real run', () => {
  const rows: { name: string; args: string[]; env: Record<string, string>; want: string }[] = [
    { name: 'script options', args: [], env: { AETOS_SYS: 'sys' }, want: 'vus=2 iterations=2 MY=undefined SYS=sys' },
    { name: 'env over script', args: [], env: { K6_VUS: '3', K6_ITERATIONS: '6', AETOS_SYS: 'sys' }, want: 'vus=3 iterations=6 MY=undefined SYS=sys' },
    { name: 'flags over env', args: ['-u', '4', '-i', '8', '-e', 'MY_VAR=flag'], env: { K6_VUS: '3', K6_ITERATIONS: '6', MY_VAR: 'env' }, want: 'vus=4 iterations=8 MY=flag SYS=undefined' },
    { name: 'no system env', args: ['--include-system-env-vars=false'], env: { AETOS_SYS: 'sys', MY_VAR: 'env' }, want: 'vus=2 iterations=2 MY=undefined SYS=undefined' },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const r = await runCli(['--quiet', '--workers', '1', ...row.args, fixture('options-env.js')], row.env);
      expect(r.code, r.stderr).toBe(0);
      expect(optionsLine(r.stderr)).toBe(row.want);
    });
  }
});
