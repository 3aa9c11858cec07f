/**
 * `k6/secrets`: `await secrets.get(name)` from the default source, `await secrets.source(name).get(key)`
 * from a named one. Sources come from the `secretSource` option (k6's `--secret-source` values):
 *   "file=path"                 a file of `key=value` lines (default name "file")
 *   "file=name=NAME,path=PATH"  a named file source
 *   "env"                       process environment variables (default name "env")
 *   "env=name=NAME,prefix=P_"   environment variables P_<key>
 * With one source it is the default; with several, the one given `default` ("…,default") or the first.
 * Every value handed to a script is redacted from console output (`***SECRET_REDACTED***`), as in k6.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModuleFactory, VuContext } from '../types.ts';

export const REDACTED = '***SECRET_REDACTED***';
const revealed = new Set<string>();

/** Replaces every secret value a script has received with k6's redaction marker. */
export function redactSecrets(text: string): string {
  if (revealed.size === 0) return text;
  let out = text;
  for (const v of revealed) if (v !== '') out = out.split(v).join(REDACTED);
  return out;
}

interface Source {
  name: string;
  isDefault: boolean;
  lookup(key: string): string | undefined;
}

function parseSpec(spec: string, base: string): Source {
  const [kind = '', ...restParts] = spec.split('=');
  const rest = restParts.join('=');
  const kv: Record<string, string> = {};
  let isDefault = false;
  if (rest) {
    for (const part of rest.split(',')) {
      if (part === 'default') isDefault = true;
      else if (part.includes('=')) kv[part.slice(0, part.indexOf('='))] = part.slice(part.indexOf('=') + 1);
      else kv.path = part;
    }
  }
  if (kind === 'file') {
    if (!kv.path) throw new Error(`secret source "${spec}": name the file (file=path/to/secrets)`);
    const file = path.resolve(base, kv.path);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`secret source "${spec}": cannot read ${file}: ${(err as Error).message}`);
    }
    const values = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      const eq = line.indexOf('=');
      if (line.trim() === '' || line.trimStart().startsWith('#') || eq < 0) continue;
      values.set(line.slice(0, eq).trim(), line.slice(eq + 1));
    }
    return { name: kv.name ?? 'file', isDefault, lookup: (k) => values.get(k) };
  }
  if (kind === 'env') {
    const prefix = kv.prefix ?? '';
    return { name: kv.name ?? 'env', isDefault, lookup: (k) => process.env[prefix + k] };
  }
  throw new Error(`secret source "${spec}": unknown kind "${kind}" (file, env)`);
}

class SecretSource {
  constructor(private readonly src: Source) {}
  async get(key: unknown): Promise<string> {
    const k = String(key);
    const v = this.src.lookup(k);
    if (v === undefined) throw new Error(`secret "${k}" not found in secret source "${this.src.name}"`);
    revealed.add(v);
    return v;
  }
}

function sourcesOf(vu: VuContext): SecretSource[] & { byName: Map<string, SecretSource>; def: SecretSource | null } {
  const raw = vu.options.secretSource;
  const specs = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  const base = path.dirname(vu.scriptPath);
  const parsed = specs.map((s) => parseSpec(s, base));
  const list = parsed.map((s) => new SecretSource(s)) as SecretSource[] & { byName: Map<string, SecretSource>; def: SecretSource | null };
  list.byName = new Map(parsed.map((s, i) => [s.name, list[i] as SecretSource]));
  const d = parsed.findIndex((s) => s.isDefault);
  list.def = list[d >= 0 ? d : 0] ?? null;
  return list;
}

export const secretsModule: ModuleFactory = (vu) => {
  let sources: ReturnType<typeof sourcesOf> | null = null;
  const all = () => (sources ??= sourcesOf(vu));
  const mod = {
    get: async (key: unknown) => {
      const d = all().def;
      if (!d) throw new Error('k6/secrets: no secret source is configured (the secretSource option / --secret-source, e.g. "file=secrets.txt" or "env")');
      return d.get(key);
    },
    source: (name: unknown) => {
      const s = all().byName.get(String(name));
      if (!s) throw new Error(`k6/secrets: no secret source named "${String(name)}" (configured: ${[...all().byName.keys()].join(', ') || 'none'})`);
      return s;
    },
  };
  return { ...mod, default: mod };
};
