/**
 * One error, one line: the same iteration exception is logged with its stack once, then counted —
 * a line per window while it repeats, a total at the end — across every worker thread.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, RepeatedErrors } from '../../../engine/log.ts';
import { fixture, runCli } from '../cli/run-cli.ts';

describe('RepeatedErrors', () => {
  it('first occurrence in full, then "… repeated N times in the last 10 s" per window, then the total', () => {
    const lines: string[] = [];
    const repeats = new RepeatedErrors((level, msg) => lines.push(`${level} ${msg}`), 0);
    const log = createLogger({ repeats, write: (l) => lines.push(l) });
    for (let i = 0; i < 10_343; i++) log.error('Error: boom\n    at default (script.js:3:9)', { source: 'stacktrace', at: 'script.js:3' });
    log.error('Error: other', { source: 'stacktrace', at: 'script.js:9' });
    log.error('not an exception', {});
    log.error('not an exception', {});
    expect(lines.filter((l) => l.includes('boom'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('not an exception'))).toHaveLength(2);
    repeats.flush();
    expect(lines.at(-1)).toBe('error … repeated 10,342 times in the last 0 s: Error: boom');
    repeats.flush();
    expect(lines).toHaveLength(5);
    repeats.close();
    expect(lines.at(-1)).toBe('error thrown 10,343 times in all: Error: boom');
    expect(lines.some((l) => l.includes('other') && l.includes('in all'))).toBe(false);
  });
});

describe('through the CLI', () => {
  it('300 throwing iterations over 2 workers: one stack trace, one total of 300', async () => {
    const r = await runCli(['--quiet', '--workers', '2', fixture('throw-every-iteration.js')]);
    const traces = r.stderr.split('\n').filter((l) => l.includes('source=stacktrace') && l.includes('Error: boom'));
    expect(traces.filter((l) => !l.includes('times')), r.stderr.slice(0, 2000)).toHaveLength(1);
    expect(r.stderr).toContain('msg="thrown 300 times in all: Error: boom"');
    expect(r.stderr.split('\n').length).toBeLessThan(20);
  });
});
