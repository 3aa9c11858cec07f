// Script code can never hang or take down the run (D9): real engine processes on scripts that never
// yield, allocate without end, or get Ctrl-C; each ends with its exit code, in bounded time, with
// the summary written. The main thread never runs script code, also with --workers 1 and one VU.
// The shapes run concurrently (each is a separate process, mostly waiting on its own timers).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, startCli } from '../cli/run-cli.ts';
import { tempDir } from '../../temp-dir.ts';

const tmp = () => tempDir('aetos-iso-');

async function waitFor(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Runs the CLI; `ms` is how long it ran after the script printed BUSY_START (its own clock, so a
 * slow start-up on a loaded machine does not count), or since the start when it never printed it.
 */
async function timed(args: string[], env: NodeJS.ProcessEnv = {}) {
  let t0 = Date.now();
  const { child, done } = startCli(args, env);
  child.stderr?.on('data', (d) => {
    if (String(d).includes('BUSY_START')) t0 = Date.now();
  });
  const r = await done;
  return { ...r, ms: Date.now() - t0 };
}

function summaryOf(file: string): { metrics: Record<string, Record<string, number>> } {
  expect(existsSync(file), `${file} written`).toBe(true);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Pids below `pid` in the process tree. */
function descendantsOf(pid: number): number[] {
  const kids = childrenOf(pid);
  return kids.flatMap((k) => [k, ...descendantsOf(k)]);
}

/** Whether `pid` exists and is not a zombie waiting for its parent. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

// Start-up on a loaded 2-core machine can take many seconds (seen: 20 s at load average 25), so
// times are taken from the script's own BUSY_START; `slack` allows for the summary and the exit on
// such a machine. Without the limits these runs would hang until run-cli's 55 s kill.
const slack = 12_000;
const startup = 40_000;

describe.concurrent('script code that never yields', () => {
  it('busy VU: terminated after duration + gracefulStop, iteration interrupted, exit 0, summary written', async () => {
    const dir = tmp();
    const out = path.join(dir, 'summary.json');
    const r = await timed(['--quiet', '--summary-export', out, fixture('busy-vu.js')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/scenario busy: VUs still running script code after the end of its scenarios .* worker thread terminated, 1 iteration\(s\) interrupted/);
    // 2 s duration + 1 s gracefulStop + start-up
    expect(r.ms).toBeLessThan(3000 + slack);
    expect(summaryOf(out).metrics.vus_max).toBeDefined();
  });

  it('a busy VU does not stop the other scenario on its thread: a new thread runs it to its scheduled end, its iterations counted', async () => {
    const dir = tmp();
    const out = path.join(dir, 'summary.json');
    const r = await timed(['--quiet', '--workers', '1', '--summary-export', out, fixture('busy-beside-calm.js')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/VUs of scenario busy still running script code after its end .*worker thread terminated, 1 iteration\(s\) interrupted; a new worker thread runs calm on its schedule/);
    // calm ends on its schedule (0.5 s + 12 s + its gracefulStop), not later
    expect(r.ms).toBeLessThan(13_500 + slack);
    const s = summaryOf(out);
    const calm = s.metrics.calm_iterations?.count ?? 0;
    // 0.2 s iterations from the take-over (a few seconds in) to 12.5 s; none ran while busy held the thread
    expect(calm).toBeGreaterThanOrEqual(3);
    expect(s.metrics.iterations?.count).toBeGreaterThanOrEqual(calm);
  });

  it('busy setup(): setupTimeout holds, exit 100, --summary-export written (no iterations ran)', async () => {
    const dir = tmp();
    const out = path.join(dir, 'summary.json');
    const r = await timed(['--quiet', '--summary-export', out, fixture('busy-setup.js')]);
    expect(r.code, r.stderr).toBe(100);
    expect(r.stderr).toMatch(/setup\(\) execution timed out after 2 seconds/);
    expect(r.ms).toBeLessThan(2000 + slack);
    expect(summaryOf(out).metrics.iterations).toBeUndefined();
  });

  it('busy teardown(): teardownTimeout holds, exit 101, the summary of the run is written', async () => {
    const dir = tmp();
    const out = path.join(dir, 'summary.json');
    const r = await timed(['--quiet', '--summary-export', out, fixture('busy-teardown.js')]);
    expect(r.code, r.stderr).toBe(101);
    expect(r.stderr).toMatch(/teardown\(\) execution timed out after 2 seconds/);
    expect(r.ms).toBeLessThan(2000 + slack);
    expect(summaryOf(out).metrics.iterations?.count).toBe(3);
  });

  for (const [how, env] of [
    ['the handleSummaryTimeout option', { OPTION_TIMEOUT: '2s' }],
    ['K6_HANDLE_SUMMARY_TIMEOUT', { K6_HANDLE_SUMMARY_TIMEOUT: '2s' }],
  ] as const) {
    it(`busy handleSummary(): ${how} holds, exit 102, the default summary is printed and --summary-export written`, async () => {
      const dir = tmp();
      const out = path.join(dir, 'summary.json');
      const r = await timed(['--summary-export', out, fixture('busy-handle-summary.js')], env);
      expect(r.code, r.stderr).toBe(102);
      expect(r.stderr).toMatch(/handleSummary\(\) execution timed out after 2 seconds/);
      expect(r.stderr).toMatch(/falling back to the default summary/);
      expect(r.stdout).toMatch(/iterations\.+: 2\b/);
      expect(r.ms).toBeLessThan(2000 + slack);
      expect(summaryOf(out).metrics.iterations?.count).toBe(2);
    });
  }

  it('busy init code: --init-timeout holds, exit 102 naming the file; nothing ran, so no summary (as k6 on an init error)', async () => {
    const dir = tmp();
    const out = path.join(dir, 'summary.json');
    const r = await timed(['--quiet', '--init-timeout', '2s', '--summary-export', out, fixture('busy-init.js')]);
    expect(r.code, r.stderr).toBe(102);
    expect(r.stderr).toMatch(/busy-init\.js: init code did not finish within 2s .*--init-timeout or AETOS_INIT_TIMEOUT/);
    expect(r.ms).toBeLessThan(2000 + slack);
    expect(existsSync(out)).toBe(false);
  });

  it('AETOS_INIT_TIMEOUT sets the init limit too', async () => {
    const r = await timed(['--quiet', fixture('busy-init.js')], { AETOS_INIT_TIMEOUT: '1s' });
    expect(r.code, r.stderr).toBe(102);
    expect(r.stderr).toMatch(/within 1s/);
  });

  for (const [name, signals] of [
    ['one SIGINT: graceful stop, the busy VU is terminated after its gracefulStop', ['SIGINT']],
    ['two SIGINTs: hard stop at once', ['SIGINT', 'SIGINT']],
    ['SIGTERM behaves as Ctrl-C', ['SIGTERM']],
  ] as const) {
    it(`${name}: exit 105, summary written`, async () => {
      const dir = tmp();
      const out = path.join(dir, 'summary.json');
      let stderr = '';
      // A long scenario with a short gracefulStop: only the signal ends it early.
      const { child, done } = startCli(['--quiet', '--summary-export', out, fixture('busy-vu.js')], { DURATION: '60s', GRACEFUL_STOP: '1s' });
      child.stderr?.on('data', (d) => (stderr += d));
      await waitFor(() => stderr.includes('BUSY_START'), startup);
      const t0 = Date.now();
      child.kill(signals[0]);
      // The coordinator never runs script code, so it answers at once (its log line's own timestamp).
      await waitFor(() => /stopping the test/.test(stderr), 5000);
      const answered = Date.parse(/time="([^"]+)" level=\w+ msg="stopping the test/.exec(stderr)?.[1] ?? '');
      expect(answered - t0).toBeLessThan(1000);
      if (signals[1]) child.kill(signals[1]);
      const r = await done;
      expect(r.code, r.stderr).toBe(105);
      // answered at once; a graceful stop waits gracefulStop (1 s) for the busy VU first
      expect(Date.now() - t0).toBeLessThan((signals.length === 2 ? 500 : 1000) + slack);
      expect(r.stderr).toMatch(signals.length === 2 ? /stopping the test now/ : /stopping the test gracefully/);
      expect(r.stderr).toMatch(/worker thread terminated, 1 iteration\(s\) interrupted/);
      summaryOf(out);
    });
  }

  it('SIGKILL of the command leaves nothing of it running', async () => {
    let stderr = '';
    const { child, done } = startCli(['--quiet', fixture('busy-vu.js')], { DURATION: '60s' });
    child.stderr?.on('data', (d) => (stderr += d));
    await waitFor(() => stderr.includes('BUSY_START'), startup);
    const pid = child.pid as number;
    // Everything the command runs, taken before the kill (after it, orphans would be re-parented and
    // no longer look like its children): its worker threads are threads of its own process, and
    // any child process it started must die with it too.
    const processes = [pid, ...descendantsOf(pid)];
    expect(readdirSync(`/proc/${pid}/task`).length).toBeGreaterThan(1);
    child.kill('SIGKILL');
    await done;
    const alive = () => processes.filter((p) => isRunning(p));
    await waitFor(() => alive().length === 0, 5000);
    expect(alive()).toEqual([]);
  });

  it('out of memory in a VU: one line naming the scenario and the limit, exit 107, summary written', async () => {
    const dir = tmp();
    const out = path.join(dir, 'summary.json');
    const r = await timed(['--quiet', '--worker-memory', '32', '--summary-export', out, fixture('out-of-memory.js')]);
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(/scenario hungry: out of memory: the worker thread reached its 32 MB heap limit \(--worker-memory/);
    expect(r.stderr).not.toMatch(/FATAL ERROR/);
    // 32 MB fill up in well under a second; the rest is the summary and the exit
    expect(r.ms).toBeLessThan(slack);
    summaryOf(out);
  });
});

describe.concurrent('where script code runs, and who it is', () => {
  it('--workers 1 -u 1: init, setup, the VU, teardown and handleSummary all run in worker threads', async () => {
    const r = await timed(['--quiet', '--workers', '1', '-u', '1', fixture('threads.js')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.match(/THREAD \w+ \w+/g) ?? [];
    for (const phase of ['init', 'setup', 'default', 'teardown', 'handleSummary']) expect(lines).toContain(`THREAD ${phase} worker`);
    expect(lines.filter((l) => !l.endsWith(' worker'))).toEqual([]);
  });

  it('run starts its first worker thread before it reads its arguments, and the run uses it; with another heap limit it is dropped and the run goes on', async () => {
    const taken = await timed(['--verbose', '-u', '1', '-i', '1', fixture('threads.js')]);
    expect(taken.code, taken.stderr).toBe(0);
    // cli/run.ts told it the script right after reading the arguments, before loading the runner
    expect(taken.stderr).toMatch(/first worker thread: the prewarmed one taken, told what to run as the command was read/);
    expect(taken.stderr).toMatch(/THREAD default worker/);
    const dropped = await timed(['--verbose', '--worker-memory', '300', '-u', '1', '-i', '1', fixture('threads.js')]);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stderr).toMatch(/the prewarmed one dropped: its heap limit is \d+ MB, the run's 300 MB/);
    expect(dropped.stderr).toMatch(/THREAD default worker/);
    // a run that ends before it starts a thread is not held open by the prewarmed one
    const bad = await timed(['--no-such-flag', fixture('threads.js')]);
    expect(bad.code).not.toBe(0);
    expect(bad.ms).toBeLessThan(slack);
  });

  it('a run starts one thread per worker before it reads the options; a plan with fewer VUs stops the others unused', async () => {
    // the script's own default (1 VU, 1 iteration): the command line does not say how many VUs
    const few = await timed(['--verbose', '--workers', '3', fixture('threads.js')]);
    expect(few.code, few.stderr).toBe(0);
    expect(few.stderr).toMatch(/worker threads started before the plan: 3; the plan uses 1, the other 2 stopped unused/);
    expect(few.stderr.match(/THREAD default worker/g)).toHaveLength(1);
    // `-u 1 -i 1` fixes one VU: one thread starts, none is stopped unused
    const fixed = await timed(['--verbose', '--workers', '3', '-u', '1', '-i', '1', fixture('threads.js')]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).not.toMatch(/stopped unused/);
    expect(fixed.stderr.match(/THREAD default worker/g)).toHaveLength(1);
    const all = await timed(['--verbose', '--workers', '2', '-u', '2', '-i', '2', fixture('threads.js')]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).not.toMatch(/stopped unused/);
    expect(all.stderr.match(/THREAD default worker/g)).toHaveLength(2);
  });

  it('vus: 4, iterations: 4 over two worker threads: __VU and idInInstance are 1..4, each once', async () => {
    const r = await timed(['--quiet', '--workers', '2', fixture('vu-ids.js')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = [...r.stderr.matchAll(/VU (\d+) (\d+) (\d+)/g)].map((m) => m.slice(1).map(Number));
    expect(rows).toHaveLength(4);
    expect(rows.map((x) => x[0]).sort()).toEqual([1, 2, 3, 4]);
    expect(rows.map((x) => x[1]).sort()).toEqual([1, 2, 3, 4]);
    expect(rows.map((x) => x[2]).sort()).toEqual([1, 2, 3, 4]);
  });

  it('an iteration that throws still counts in iterations and iteration_duration (k6)', async () => {
    const dir = tmp();
    const out = path.join(dir, 'summary.json');
    const r = await timed(['--quiet', '-i', '2', '--summary-export', out, fixture('throws.js')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/thrown on purpose/);
    const s = summaryOf(out);
    expect(s.metrics.iterations?.count).toBe(2);
    expect(s.metrics.iteration_duration).toBeDefined();
  });
});
