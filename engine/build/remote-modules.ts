/**
 * Remote modules (`import { randomItem } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js'`): k6
 * fetches them when it loads the script; so does the bundler here, through an esbuild plugin, and
 * inlines them, so `build/<name>.js` stays one self-contained k6 script and the engine never
 * imports anything over the network at run time. A remote module's own relative imports
 * (`./lib.js`, `../x.js`, `/abs.js`) resolve against its URL, as in a browser and in k6.
 *
 * Fetched text is kept in an on-disk cache keyed by URL (one `<sha256>.js` + `<sha256>.json` per
 * URL), so a second build reuses it and an offline machine still builds:
 *  - a cache entry younger than the TTL is used as it is (default 24 h);
 *  - an older one is fetched again; when that fetch fails, the old copy is used with a warning;
 *  - `refresh` (`--no-cache`) always fetches; `offline` never fetches (cache only).
 * Settings (env): AETOS_LOAD_MODULE_CACHE (the folder; default node_modules/.cache/aetos-load/modules
 * under the working directory), AETOS_LOAD_MODULE_TTL (a k6 duration: 30m, 24h, 0 = always
 * refetch), AETOS_LOAD_OFFLINE=1.
 *
 * TLS: modules are fetched with Node's default trust store, certificates verified. A private CA
 * (a company mirror, or the test's self-signed server) is trusted explicitly, either for the whole
 * process with Node's NODE_EXTRA_CA_CERTS=<ca.pem>, or for module fetches only with
 * AETOS_LOAD_MODULE_CA=<ca.pem> (added to, not replacing, the default roots). Verification is
 * never turned off.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileWhole } from '../outputs/file-sink.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import type * as esbuild from 'esbuild';
import type * as Undici from 'undici';
import { lazyRequire } from '../lazy-require.ts';

export interface RemoteModuleSettings {
  /** Cache folder. */
  cacheDir: string;
  /** A cached copy younger than this is used without fetching (ms). */
  ttlMs: number;
  /** Fetch even when a fresh copy is cached (`--no-cache`). */
  refresh: boolean;
  /** Never fetch; a module not in the cache fails the build. */
  offline: boolean;
  /** Extra CA certificates (PEM) trusted for module fetches. */
  caFile?: string;
  /** Per-fetch time limit (ms). */
  timeoutMs: number;
  /** Where non-fatal notes go (a stale copy used offline). */
  warn?: (message: string) => void;
}

/** Remote modules come from somewhere: the network through the cache, or an archive's files. */
export type RemoteSource = (url: string) => Promise<string>;

const defaultTtlMs = 24 * 3600_000;

/** A k6 duration (`90s`, `30m`, `24h`, `1h30m`) or a number of seconds → ms. */
function parseTtl(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    consumed += m[0].length;
  }
  if (consumed !== value.length || consumed === 0) throw new Error(`AETOS_LOAD_MODULE_TTL: "${value}" is not a duration (e.g. 30m, 24h)`);
  return total;
}

/** Settings from the environment (see the header), with the defined values of `over` on top. */
export function remoteSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), over: Partial<RemoteModuleSettings> = {}): RemoteModuleSettings {
  const flag = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  return {
    cacheDir: path.resolve(cwd, env.AETOS_LOAD_MODULE_CACHE || 'node_modules/.cache/aetos-load/modules'),
    ttlMs: env.AETOS_LOAD_MODULE_TTL ? parseTtl(env.AETOS_LOAD_MODULE_TTL) : defaultTtlMs,
    refresh: flag(env.AETOS_LOAD_NO_CACHE),
    offline: flag(env.AETOS_LOAD_OFFLINE),
    caFile: env.AETOS_LOAD_MODULE_CA || undefined,
    timeoutMs: 30_000,
    ...(Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) as Partial<RemoteModuleSettings>),
  };
}

/** Raised when a remote module cannot be had; the message names the URL and why. */
export class RemoteModuleError extends Error {}

interface CacheMeta {
  url: string;
  /** ms since the epoch. */
  fetchedAt: number;
}

const keyOf = (url: string) => createHash('sha256').update(url).digest('hex');

async function readCached(dir: string, url: string): Promise<{ text: string; meta: CacheMeta } | null> {
  const key = keyOf(url);
  try {
    const meta = JSON.parse(await readFile(path.join(dir, `${key}.json`), 'utf8')) as CacheMeta;
    if (meta.url !== url) return null;
    return { text: await readFile(path.join(dir, `${key}.js`), 'utf8'), meta };
  } catch {
    return null;
  }
}

/** Writes the text, then its metadata, each whole (temp + rename): a reader never sees half an entry. */
async function writeCached(dir: string, url: string, text: string): Promise<void> {
  const key = keyOf(url);
  const put = async (name: string, data: string) => writeFileWhole(path.join(dir, name), data);
  await put(`${key}.js`, text);
  await put(`${key}.json`, `${JSON.stringify({ url, fetchedAt: Date.now() } satisfies CacheMeta)}\n`);
}

/** Why a fetch failed, in one line: the HTTP status, or the network/TLS cause. */
function reasonOf(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  const cause = e.cause;
  if (e.name === 'TimeoutError') return 'timed out';
  if (cause) {
    const code = cause.code ?? '';
    const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
    return `${cause.message}${tls ? ' (trust a private CA with NODE_EXTRA_CA_CERTS=<ca.pem> or AETOS_LOAD_MODULE_CA=<ca.pem>)' : ''}`;
  }
  return e.message;
}

/** undici loads when a script imports a remote module, not at every start. */
const undici = lazyRequire<typeof Undici>('undici');

const agents = new Map<string, Undici.Agent>();
function agentFor(caFile: string | undefined): Undici.Agent | undefined {
  if (!caFile) return undefined;
  let agent = agents.get(caFile);
  if (!agent) {
    let pem: string;
    try {
      pem = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new RemoteModuleError(`AETOS_LOAD_MODULE_CA: cannot read ${caFile}: ${(err as Error).message}`);
    }
    agent = new (undici().Agent)({ connect: { ca: [...rootCertificates, pem] } });
    agents.set(caFile, agent);
  }
  return agent;
}

async function fetchText(url: string, s: RemoteModuleSettings): Promise<string> {
  let res;
  try {
    res = await undici().fetch(url, { dispatcher: agentFor(s.caFile), signal: AbortSignal.timeout(s.timeoutMs), redirect: 'follow' });
  } catch (err) {
    if (err instanceof RemoteModuleError) throw err;
    throw new RemoteModuleError(`cannot fetch ${url}: ${reasonOf(err)}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new RemoteModuleError(`cannot fetch ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  }
  return res.text();
}

/** The network through the on-disk cache, by the rules in the header. */
export function cachedFetcher(s: RemoteModuleSettings): RemoteSource {
  const inFlight = new Map<string, Promise<string>>();
  const get = async (url: string): Promise<string> => {
    const cached = await readCached(s.cacheDir, url);
    if (s.offline) {
      if (cached) return cached.text;
      throw new RemoteModuleError(`cannot fetch ${url}: offline (AETOS_LOAD_OFFLINE) and not in the module cache ${s.cacheDir}`);
    }
    if (cached && !s.refresh && Date.now() - cached.meta.fetchedAt < s.ttlMs) return cached.text;
    try {
      const text = await fetchText(url, s);
      await writeCached(s.cacheDir, url, text);
      return text;
    } catch (err) {
      if (!cached || s.refresh) throw err;
      s.warn?.(`${(err as Error).message}; using the copy cached ${new Date(cached.meta.fetchedAt).toISOString()}`);
      return cached.text;
    }
  };
  return (url) => {
    let p = inFlight.get(url);
    if (!p) inFlight.set(url, (p = get(url)));
    return p;
  };
}

/** What a bundle took from the network: URL → text (the archive stores each under scripts/<scheme>/<host>/<path>). */
export type RemoteModulesUsed = Map<string, string>;

/**
 * The esbuild plugin: `http(s)://` imports, and relative imports inside them, load through `source`.
 * Bare imports inside a remote module (`k6`, `k6/http`) stay external as everywhere else.
 */
export function remoteModulesPlugin(source: RemoteSource, used: RemoteModulesUsed = new Map()): esbuild.Plugin {
  return {
    name: 'remote-modules',
    setup(build) {
      build.onResolve({ filter: /^https?:\/\//i }, (args) => ({ path: args.path, namespace: 'remote' }));
      build.onResolve({ filter: /^(\.{1,2})?\//, namespace: 'remote' }, (args) => ({ path: new URL(args.path, args.importer).href, namespace: 'remote' }));
      build.onLoad({ filter: /.*/, namespace: 'remote' }, async (args) => {
        try {
          const text = await source(args.path);
          used.set(args.path, text);
          const ext = path.extname(new URL(args.path).pathname).toLowerCase();
          const loader: esbuild.Loader = ext === '.ts' ? 'ts' : ext === '.json' ? 'json' : 'js';
          return { contents: text, loader };
        } catch (err) {
          if (err instanceof RemoteModuleError) return { errors: [{ text: err.message }] };
          throw err;
        }
      });
    },
  };
}

/** Whether a script's text imports anything by URL (the loader bundles such a script). */
export { hasRemoteImport } from './remote-import.ts';
