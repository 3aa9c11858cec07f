/**
 * `response.json(selector)`: a subset of gjson's path syntax, as k6 documents it — dot paths
 * ("user.name"), array indexes ("items.0"), counts ("items.#"), mapping ("items.#.id"),
 * wildcards ("us?r", "it*"), escaped dots ("a\.b") and queries ("items.#(id==2).name",
 * "items.#(price>10)#", nested "friends.#(nets.#(==\"fb\"))#.first"). A path that matches nothing
 * gives undefined.
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
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  return t;
}

function like(value: string, pattern: string): boolean {
  return wildcardRe(pattern).test(value);
}

const operators = ['==', '!=', '<=', '>=', '!%', '<', '>', '%'];

/**
 * Splits a query ("age>45", "nets.#(==\"fb\")") at its first operator outside parentheses and
 * quotes, so a nested query's own operator is left to the nested query.
 */
function splitQuery(query: string): { left: string; op: string; right: string } | null {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < query.length; i++) {
    const ch = query[i]!;
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0)
      for (const op of operators) if (query.startsWith(op, i)) return { left: query.slice(0, i), op, right: query.slice(i + op.length) };
  }
  return null;
}

function matchQuery(item: unknown, query: string): boolean {
  const q = splitQuery(query);
  if (!q) return get(item, splitPath(query.trim())) !== undefined;
  const left = q.left.trim() === '' ? item : get(item, splitPath(q.left.trim()));
  const right = literal(q.right);
  const l = left as string | number;
  const r = right as string | number;
  switch (q.op) {
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
