/**
 * Which deployment the ops tools look at: `--url` or `BASE_URL` when given, otherwise the
 * embedded reference target (DESIGN.md D7), started on a free loopback port for the duration
 * of the check or the watch and stopped after, like the load runs do.
 */
export interface WatchedTarget {
  url: string;
  /** True when we started it (and must stop it). */
  embedded: boolean;
  /** The embedded target's admin token (fault injection); undefined for a user's deployment. */
  adminToken?: string;
  stop(): Promise<void>;
}

/** An http(s) URL of a deployment (`--url`, BASE_URL); throws a one-line error naming `what` otherwise. */
export function checkTargetUrl(input: string, what = '--url'): string {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new Error(`${what}: "${input}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${what}: "${input}" is not an http(s) URL`);
  return input;
}

export async function resolveTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<WatchedTarget> {
  const given = url ?? env.BASE_URL;
  if (given) return { url: given.replace(/\/+$/, ''), embedded: false, stop: async () => {} };
  const { spawnTarget } = await import('../../wms/spawn.ts');
  // seeding the embedded database takes more than 30 s on a loaded 2-core machine
  const t = await spawnTarget({ timeoutMs: 120_000 });
  return { url: t.url.replace(/\/+$/, ''), embedded: true, adminToken: t.adminToken, stop: async () => void (await t.stop()) };
}

