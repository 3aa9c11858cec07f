/**
 * `k6/secrets`: `await secrets.get(name)` from the default source, `await secrets.source(name).get(key)`
 * from a named one. Sources come from k6's `--secret-source` flag (repeatable; the `secretSource`
 * option carries its values), in k6's syntax `KIND=CONFIG`, CONFIG a comma list:
 *   file=secrets.txt                   a file of `key=value` lines (also `file=filename=secrets.txt`)
 *   mock=api_token=abc,db=xyz          the values themselves (for tests, as k6's mock source)
 *   env=prefix=APP_                    environment variables APP_<key> (the engine's own kind; a prefix is required)
 * `name=NAME` names a source (default: its kind), `default` makes it the default source; with a
 * single source it is the default, with several and none marked `get()` throws, as in k6.
 * Every value of every source is redacted from all log lines (engine/log.ts: `***SECRET_REDACTED***`)
 * of every thread that sets the sources up (the main thread from the flags, each worker from the
 * option), as k6 redacts secrets from its logs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { redactFromLogs } from '../log.ts';
import type { ModuleFactory, VuContext } from '../types.ts';
import { moduleExports } from './module-exports.ts';

export interface SecretSourceSpec {
  kind: 'file' | 'mock' | 'env';
  name: string;
  isDefault: boolean;
  /** file: the file (resolved against `base`); env: the variable prefix. */
  file?: string;
  prefix?: string;
  /** The secrets: a file's lines, a mock's pairs, the env variables with the prefix (read when the source is set up). */
  values: Map<string, string>;
}

const KINDS = ['file', 'mock', 'env'];

/** One `--secret-source` value, parsed; a bad one throws naming the value and what is wrong. */
export function parseSecretSource(spec: string, base: string): SecretSourceSpec {
  const eq = spec.indexOf('=');
  const kind = eq < 0 ? spec : spec.slice(0, eq);
  const config = eq < 0 ? '' : spec.slice(eq + 1);
  const bad = (why: string) => new Error(`"${redactable(spec)}": ${why}`);
  if (!KINDS.includes(kind)) throw bad(`unknown kind "${kind}" (file, mock, env)`);
  const values = new Map<string, string>();
  const out: SecretSourceSpec = { kind: kind as SecretSourceSpec['kind'], name: kind, isDefault: false, values };
  for (const part of config === '' ? [] : config.split(',')) {
    if (part === 'default') {
      out.isDefault = true;
      continue;
    }
    const at = part.indexOf('=');
    const key = at < 0 ? '' : part.slice(0, at);
    const value = at < 0 ? part : part.slice(at + 1);
    if (key === 'name') out.name = value;
    else if (kind === 'file' && (key === 'filename' || key === 'path' || at < 0)) out.file = path.resolve(base, value);
    else if (kind === 'env' && key === 'prefix') out.prefix = value;
    else if (kind === 'mock' && at > 0) values.set(key, value);
    else throw bad(`"${at < 0 ? part : key}" is not a setting of the ${kind} source`);
  }
  if (out.name === '') throw bad('name= needs a name');
  if (kind === 'file') {
    if (!out.file) throw bad('name the file (file=path/to/secrets)');
    let text: string;
    try {
      text = readFileSync(out.file, 'utf8');
    } catch (err) {
      throw bad(`cannot read ${out.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const line of text.split(/\r?\n/)) {
      const i = line.indexOf('=');
      if (line.trim() === '' || line.trimStart().startsWith('#') || i < 0) continue;
      values.set(line.slice(0, i).trim(), line.slice(i + 1));
    }
  }
  if (kind === 'env') {
    // without a prefix every variable of the process would be a secret (and redacted from every line)
    if (!out.prefix) throw bad('name the prefix of its variables (env=prefix=APP_SECRET_)');
    for (const [k, v] of Object.entries(process.env)) if (k.startsWith(out.prefix) && v !== undefined) values.set(k.slice(out.prefix.length), v);
  }
  // known secrets from the start, in every thread that reads the flags: no log line may show them,
  // even before a script asks for them (an error the main thread prints included)
  for (const v of values.values()) redactFromLogs(v);
  return out;
}

/**
 * The `secretSource` values of the command line, checked (a bad one throws) and with relative
 * file paths made absolute against the working directory, where k6 reads them from; the files'
 * and mock sources' values are marked for redaction in this thread's logs.
 */
export function resolveSecretSourceFlags(raw: unknown, cwd: string): string[] | undefined {
  if (raw === undefined) return undefined;
  return secretSourcesOf(raw, cwd).map((s, i) => {
    const given = (raw as string[])[i] as string;
    if (s.kind !== 'file') return given;
    return ['file=filename=' + s.file, ...(s.name !== 'file' ? [`name=${s.name}`] : []), ...(s.isDefault ? ['default'] : [])].join(',');
  });
}

/** A mock source's values are in its spec: an error message names the spec only with them taken out. */
function redactable(spec: string): string {
  return spec.startsWith('mock=') ? 'mock=…' : spec;
}

/** Every source of the `secretSource` option (strings, as the flag gives them); throws on a bad one or a repeated name. */
export function secretSourcesOf(raw: unknown, base: string): SecretSourceSpec[] {
  const specs = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  const list = specs.map((s) => parseSecretSource(s, base));
  const names = new Set<string>();
  for (const s of list) {
    if (names.has(s.name)) throw new Error(`two sources are named "${s.name}"; give one name=… of its own`);
    names.add(s.name);
  }
  if (list.filter((s) => s.isDefault).length > 1) throw new Error('more than one source is marked default');
  return list;
}

class SecretSource {
  constructor(private readonly spec: SecretSourceSpec) {}
  async get(key: unknown): Promise<string> {
    const k = String(key);
    const v = this.spec.values?.get(k);
    if (v === undefined) throw new Error(`secret "${k}" not found in secret source "${this.spec.name}"`);
    redactFromLogs(v);
    return v;
  }
}

/** Sources per option value and folder: set up once per thread, not once per VU (a file is read once). */
const setUp = new Map<string, SecretSourceSpec[]>();
function sourcesFor(raw: unknown, base: string): SecretSourceSpec[] {
  const key = JSON.stringify([raw ?? null, base]);
  let specs = setUp.get(key);
  if (!specs) {
    specs = secretSourcesOf(raw, base);
    setUp.set(key, specs);
  }
  return specs;
}

export const secretsModule: ModuleFactory = (vu: VuContext) => {
  let state: { byName: Map<string, SecretSource>; def: SecretSource | null; count: number } | null = null;
  const all = () => {
    if (state) return state;
    let specs: SecretSourceSpec[];
    try {
      specs = sourcesFor(vu.options.secretSource, path.dirname(vu.scriptPath));
    } catch (err) {
      throw new Error(`k6/secrets: --secret-source ${(err as Error).message}`);
    }
    const byName = new Map(specs.map((s) => [s.name, new SecretSource(s)]));
    const d = specs.length === 1 ? specs[0] : specs.find((s) => s.isDefault);
    state = { byName, def: d ? (byName.get(d.name) as SecretSource) : null, count: specs.length };
    return state;
  };
  const mod = {
    get: async (key: unknown) => {
      const { def, count } = all();
      if (!def && count === 0) throw new Error('k6/secrets: no secret source is configured (--secret-source, e.g. file=secrets.txt or mock=name=value)');
      if (!def) throw new Error(`k6/secrets: ${count} secret sources and none is the default: mark one (--secret-source=KIND=default,…) or use secrets.source(name)`);
      return def.get(key);
    },
    source: (name: unknown) => {
      const s = all().byName.get(String(name));
      if (!s) throw new Error(`k6/secrets: no secret source named "${String(name)}" (configured: ${[...all().byName.keys()].join(', ') || 'none'})`);
      return s;
    },
  };
  return moduleExports(mod);
};
