/**
 * One-time work a module starts when a VU first loads it, which should be finished before the
 * test's first iteration: k6/http warms its transport (http/warm.ts). Worker threads wait for it
 * after their VUs are initialised and before they say they are ready, so the first iteration's
 * timings measure the requests, not the engine's own start-up work — as later iterations' do.
 */
const pending: Promise<unknown>[] = [];

/** A warm-up is an optimisation: the test starts without it after this long. */
const limitMs = 2000;

/** Registers work the thread's first iteration should not share its event loop with. */
export function warmUpBeforeIterations(work: Promise<unknown>): void {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs).unref()));
  pending.push(Promise.race([work.catch(() => undefined), limit]).finally(() => clearTimeout(timer)));
}

/** Resolves when every registered warm-up has finished (at once when there is none). */
export async function warmedUp(): Promise<void> {
  while (pending.length > 0) await Promise.all(pending.splice(0));
}
