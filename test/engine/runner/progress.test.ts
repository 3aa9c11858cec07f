// The progress block's text, k6-style: header with elapsed, VUs and iterations; one bar per scenario.
import { describe, expect, it } from 'vitest';
import { bar, formatElapsed, renderProgress } from '../../../engine/runner/progress.ts';

describe('progress', () => {
  it('formats elapsed time like k6', () => {
    expect(formatElapsed(5_230)).toBe('0m05.2s');
    expect(formatElapsed(65_000)).toBe('1m05.0s');
    expect(formatElapsed(3_725_000)).toBe('1h02m05.0s');
  });
  it('draws bars of 40 cells', () => {
    expect(bar(0)).toBe(`[>${'-'.repeat(39)}]`);
    expect(bar(0.5)).toBe(`[${'='.repeat(20)}>${'-'.repeat(19)}]`);
    expect(bar(1)).toBe(`[${'='.repeat(40)}]`);
    expect(bar(Number.NaN)).toBe(bar(0));
  });
  it('renders the header and one row per scenario', () => {
    const lines = renderProgress({
      elapsedMs: 5_200,
      vusActive: 10,
      vusMax: 10,
      completed: 45,
      interrupted: 1,
      scenarios: [
        { name: 'default', fraction: 1, text: '10 VUs  30s' },
        { name: 'ramp', fraction: 0.25, text: '3/10 VUs' },
      ],
    });
    expect(lines[0]).toBe('running (0m05.2s), 10/10 VUs, 45 complete and 1 interrupted iterations');
    expect(lines[1]).toMatch(/^default ✓ \[=+\] 10 VUs {2}30s$/);
    expect(lines[2]).toMatch(/^ramp {6}\[=+>-+\] 3\/10 VUs$/);
  });
});

describe('ProgressAwareWriter', () => {
  it('writes whole lines above the block and repaints it; passes through when no block is shown', async () => {
    const { ProgressAwareWriter, ProgressView } = await import('../../../engine/runner/progress.ts');
    let screen = '';
    const out = { write: (t: string) => ((screen += t), true), columns: 100 } as unknown as NodeJS.WriteStream;
    const view = new ProgressView(out, () => ({ elapsedMs: 0, vusActive: 1, vusMax: 1, completed: 0, interrupted: 0, scenarios: [] }), 60_000);
    const w = new ProgressAwareWriter(out as unknown as NodeJS.WritableStream);
    w.write('before\n');
    expect(screen).toBe('before\n');
    view.start();
    w.attach(view);
    screen = '';
    w.write('half a ');
    expect(screen).toBe('');
    w.write('line\nnext');
    // Cursor up over the one-line block, clear to the end, the line, then the block again.
    expect(screen).toMatch(/^\x1b\[1A\r\x1b\[0Jhalf a line\n\r\x1b\[2Krunning/);
    w.detach();
    view.stop();
    expect(screen).toContain('next');
  });
});

describe('progress in a CI log (stdout not a terminal)', () => {
  it('counts are never zero-padded; a plain frame shows the share as [ 45% ]', () => {
    const lines = renderProgress(
      { elapsedMs: 78_600, vusActive: 7, vusMax: 200, completed: 3010, interrupted: 0, scenarios: [{ name: 'default', fraction: 0.456, text: '020/200 VUs  1m18.6s/2m50s' }] },
      true,
    );
    expect(lines).toEqual(['running (1m18.6s), 7/200 VUs, 3010 complete and 0 interrupted iterations', 'default   [  45% ] 20/200 VUs  1m18.6s/2m50s']);
    expect(renderProgress({ elapsedMs: 0, vusActive: 5, vusMax: 10, completed: 0, interrupted: 0, scenarios: [] })[0]).toBe(
      'running (0m00.0s), 5/10 VUs, 0 complete and 0 interrupted iterations',
    );
  });

  it('a piped run prints a progress line every --progress-interval and one at the end; --quiet prints none', async () => {
    const { runCli, fixture } = await import('../cli/run-cli.ts');
    const r = await runCli(['--no-color', '--progress-interval', '500ms', fixture('constant-sleep.js')]);
    expect(r.code, r.stderr).toBe(0);
    const heads = r.stdout.split('\n').filter((l) => /^running \(\d+m\d\d\.\ds\), \d+\/3 VUs, \d+ complete and \d+ interrupted iterations$/.test(l));
    // a 2 s run: at least the end line plus one or more interval lines (fewer on a loaded machine, never none)
    expect(heads.length, r.stdout).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toMatch(/^default ✓ \[ 100% \] /m);
    const quiet = await runCli(['--quiet', '--progress-interval', '500ms', fixture('constant-sleep.js')]);
    expect(quiet.stdout).not.toMatch(/^running \(/m);
  });
});
