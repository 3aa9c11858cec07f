// main(argv, io) as other commands call it (cli/load.ts): in-process, re-entrant,
// returns the exit code, leaves no signal handlers behind; an AbortSignal stops it like Ctrl-C.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/run.ts';
import { fixture, root } from '../cli/run-cli.ts';

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

describe('main(argv) in-process', () => {
  it('runs twice in one process with the same result and no leaked signal handlers', async () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    for (let i = 0; i < 2; i++) {
      const stdout = sink();
      const stderr = sink();
      const code = await main(['--quiet', '--workers', '1', '-i', '5', '-u', '2', fixture('constant-sleep.js')], { stdout, stderr, cwd: root });
      expect(code, stderr.text).toBe(0);
      expect(stdout.text).toMatch(/iterations\.+: 5\b/);
    }
    expect(process.listenerCount('SIGINT')).toBe(before.int);
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
  });

  it('worker threads work in-process too (--workers 2)', async () => {
    const stdout = sink();
    const stderr = sink();
    const code = await main(['--quiet', '--workers', '2', fixture('shared-iterations.js')], { stdout, stderr, cwd: root });
    expect(code, stderr.text).toBe(0);
    expect(stdout.text).toMatch(/iterations\.+: 131\b/);
  });

  it('an AbortSignal stops the run gracefully: exit 105, summary still produced', async () => {
    const stdout = sink();
    const stderr = sink();
    const ac = new AbortController();
    // Once iterations run (start-up on a loaded machine can take seconds), let them run a while.
    let started = 0;
    const waiter = setInterval(() => {
      if (started === 0 && stderr.text.includes('FIRST_ITERATION')) {
        started = Date.now();
        setTimeout(() => ac.abort(), 500);
      }
    }, 50);
    const code = await main(['--quiet', '--workers', '1', fixture('long-run.js')], { stdout, stderr, cwd: root, signal: ac.signal, handleSignals: false });
    clearInterval(waiter);
    expect(code, stderr.text).toBe(105);
    expect(started).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(stdout.text).toMatch(/iterations/);
  });
});
