/**
 * `response.json(selector)`: a subset of gjson's path syntax, as k6 documents it — dot paths
 * ("user.name"), array indexes ("items.0"), counts ("items.#"), mapping ("items.#.id"),
 * wildcards ("us?r", "it*"), escaped dots ("a\.b") and queries ("items.#(id==2).name",
 * "items.#(price>10)#"). A path that matches nothing gives undefined.
 */

function splitPath(path: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && i + 1 < path.length) {
      cur += path[++i];
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === '.' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

function wildcardRe(key: string): RegExp {
  const src = key.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${src}$`);
}

function literal(s: string): unknown {
  const t = s.trim();
  if (t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  return t;
}

function like(value: string, pattern: string): boolean {
  return wildcardRe(pattern).test(value);
}

function matchQuery(item: unknown, query: string): boolean {
  const m = /^(.*?)(==|!=|<=|>=|<|>|%|!%)(.*)$/.exec(query);
  if (!m) return get(item, splitPath(query.trim())) !== undefined;
  const left = m[1]!.trim() === '' ? item : get(item, splitPath(m[1]!.trim()));
  const right = literal(m[3]!);
  const l = left as string | number;
  const r = right as string | number;
  switch (m[2]) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    case '%':
      return typeof left === 'string' && like(left, String(right));
    case '!%':
      return typeof left === 'string' && !like(left, String(right));
  }
  return false;
}

function get(value: unknown, parts: string[]): unknown {
  let cur: unknown = value;
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i]!;
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (key === '#') {
        if (i === parts.length - 1) return cur.length;
        const rest = parts.slice(i + 1);
        const mapped: unknown[] = [];
        for (const item of cur) {
          const v = get(item, rest);
          if (v !== undefined) mapped.push(v);
        }
        return mapped;
      }
      const q = /^#\((.*)\)(#?)$/.exec(key);
      if (q) {
        if (q[2]) {
          const all = cur.filter((item) => matchQuery(item, q[1]!));
          if (i === parts.length - 1) return all;
          const rest = parts.slice(i + 1);
          return all.map((item) => get(item, rest)).filter((v) => v !== undefined);
        }
        cur = cur.find((item) => matchQuery(item, q[1]!));
        continue;
      }
      if (!/^\d+$/.test(key)) return undefined;
      cur = cur[Number(key)];
      continue;
    }
    const obj = cur as Record<string, unknown>;
    if (key.includes('*') || key.includes('?')) {
      const re = wildcardRe(key);
      const found = Object.keys(obj).find((k) => re.test(k));
      cur = found === undefined ? undefined : obj[found];
    } else cur = Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
  }
  return cur;
}

/** Selects `selector` in parsed JSON `value`; undefined when nothing matches. */
export function selectJson(value: unknown, selector: string): unknown {
  if (selector === '' || selector === '@this') return value;
  return get(value, splitPath(selector));
}
