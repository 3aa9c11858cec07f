/**
 * The loader's one AST pass (DESIGN D3): turns a k6 script, where `http.get`, `sleep` and `group`
 * block the VU, into code for Node, where they return promises. blocking.ts decides which calls
 * and functions block (and what to refuse); this file rewrites with magic-string:
 *
 *  - `await` before every blocking call, `async` on every blocking function, blocking callbacks
 *    of Array methods run sequentially through `__k6.<method>(arr, cb)`, blocking default
 *    parameters moved into the body;
 *  - the ES module becomes one async function `(__k6, <per-VU globals>) => exports`: k6 imports
 *    become per-VU module instances (`__k6.require`), exports are returned, `__VU`/`__ITER`/`__ENV`
 *    read the VU's runtime.
 *
 * Already-async functions and existing `await`s are left alone.
 */
import * as acorn from 'acorn';
import MagicString from 'magic-string';
import { analyzeBlocking, propName, snippet } from './blocking.ts';
import { ScriptSyntaxError } from './syntax-error.ts';
import { analyzeScopes, isFunctionNode, patternNames, type AnyNode, type FunctionNode } from './scope.ts';

/**
 * Per-VU globals handed to the module function as parameters, shadowing the realm's globals
 * (Node's `process`, `require`, … are hidden so libraries see a k6-like environment).
 */
export const WRAPPER_PARAMS = [
  '__k6',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'console',
  'open',
  'Math',
  'require',
  'module',
  'exports',
  'process',
  'Buffer',
  'global',
  '__dirname',
  '__filename',
] as const;

/** Free identifiers rewritten to the VU's runtime (`__k6` is the runtime parameter's base name). */
const VU_GLOBAL_FIELDS: Record<string, string> = { __VU: 'vu', __ITER: 'iter', __ENV: 'env' };

/**
 * A name for something the wrapper itself declares that no identifier, string or comment of the
 * script contains: `base`, else `base_1`, `base_2`, … Checking the whole source text is more than
 * needed (only identifiers could collide) and never less, so a script may import or declare any
 * name, `__k6` included, without meeting the wrapper's own.
 */
export function freshName(code: string, base: string, taken: ReadonlySet<string> = new Set()): string {
  const used = (name: string) => taken.has(name) || new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(code);
  if (!used(base)) return base;
  for (let i = 1; ; i++) if (!used(`${base}_${i}`)) return `${base}_${i}`;
}

export interface TransformOptions {
  /**
   * Every `throw x` becomes `throw <thrownName>(x)`, a function the loader hands the compiled code
   * (loader/index.ts) that records where a non-Error value was thrown (it has no stack of its own)
   * and returns it unchanged. Without it, `throw` is left alone.
   */
  recordThrows?: boolean;
}

export interface ImportRef {
  source: string;
  /** 1-based line and column in the input code. */
  line: number;
  column: number;
}

export interface Refusal {
  line: number;
  column: number;
  message: string;
}

export interface TransformResult {
  /** A single parenthesised async function expression: `(async function (__k6, …) { … })`. */
  code: string;
  /** Source map (v3 JSON) of `code` against the input. */
  map: string;
  imports: ImportRef[];
  /** Names the script exports (`default`, `options`, `setup`, …). */
  exportNames: string[];
  /** The local name of the default export (esbuild names it `<file>_default`), for stack traces. */
  defaultLocal: string | null;
  refusals: Refusal[];
  /** Things that run but differ from k6 (one realm shared by all VUs), with their line. */
  warnings: Refusal[];
  /** Count of calls made awaited and functions made async, for diagnostics and tests. */
  stats: { awaitedCalls: number; asyncFunctions: number; arrayRewrites: number };
  /** The name `throw` arguments are passed through (TransformOptions.recordThrows), or null. */
  thrownName: string | null;
}

export function transformScript(code: string, opts: TransformOptions = {}): TransformResult {
  let program: AnyNode;
  try {
    program = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true, allowHashBang: true }) as AnyNode;
  } catch (err) {
    const e = err as SyntaxError & { loc?: { line: number; column: number } };
    throw new ScriptSyntaxError(`SyntaxError: ${e.message.replace(/ \(\d+:\d+\)$/, '')}`, e.loc?.line ?? 1, (e.loc?.column ?? 0) + 1);
  }
  const info = analyzeScopes(program);
  // the wrapper's own names, chosen so that no name of the script can meet them (see freshName)
  const rt = freshName(code, '__k6');
  const defaultBase = freshName(code, '__k6_default', new Set([rt]));
  const thrownName = opts.recordThrows ? freshName(code, '__k6_thrown', new Set([rt, defaultBase])) : null;
  const VU_GLOBALS: Record<string, string> = Object.fromEntries(Object.entries(VU_GLOBAL_FIELDS).map(([k, f]) => [k, `${rt}.${f}`]));
  const st = analyzeBlocking(code, program, info);
  const parent = (n: AnyNode): AnyNode | null => info.parent.get(n) ?? null;
  const refuse = (node: AnyNode, message: string) => {
    if (!st.refusals.has(node)) st.refusals.set(node, message);
  };

  // --- rewrite --------------------------------------------------------------------------------
  const s = new MagicString(code);
  let awaitedCalls = 0;
  let asyncFunctions = 0;

  // `async` first: an `await ` inserted later at the same position (an IIFE) must come before it
  for (const f of st.containing) {
    if (f.async || f.generator) continue;
    asyncFunctions++;
    const p = parent(f);
    if (p && f.type === 'FunctionExpression' && ((p.type === 'Property' && p.method) || p.type === 'MethodDefinition')) {
      let at = p.key.start;
      if (p.computed) at = code.lastIndexOf('[', p.key.start);
      s.prependRight(at, 'async ');
    } else s.prependRight(f.start, 'async ');
  }

  // calls, innermost first (reverse pre-order), so nested insertions at one position nest right
  for (let i = info.calls.length - 1; i >= 0; i--) {
    const call = info.calls[i] as AnyNode;
    if (!st.blockingCalls.has(call)) continue;
    if (st.arrayRewrites.has(call)) {
      const callee = call.callee as AnyNode;
      const method = propName(callee.property, callee.computed) as string;
      s.prependRight(call.start, `${rt}.${method}(`);
      const firstArg = call.arguments[0] as AnyNode;
      s.overwrite(callee.object.end, firstArg.start, ', ', { contentOnly: true });
    }
    let target = call;
    let p = parent(call);
    if (p?.type === 'ChainExpression') {
      target = p;
      p = parent(p);
    }
    if (p?.type === 'AwaitExpression') continue;
    awaitedCalls++;
    const needsParens =
      !!p &&
      ((p.type === 'MemberExpression' && p.object === target) ||
        ((p.type === 'CallExpression' || p.type === 'NewExpression') && p.callee === target) ||
        p.type === 'TaggedTemplateExpression' ||
        (p.type === 'BinaryExpression' && p.operator === '**' && p.left === target));
    if (!needsParens) {
      s.prependRight(target.start, 'await ');
      continue;
    }
    // `(await x).y` at the start of a statement needs a `;` guard against ASI joining lines
    let stmt: AnyNode | null = p;
    while (stmt && stmt.start === target.start && stmt.type !== 'ExpressionStatement') stmt = parent(stmt);
    const guard = stmt?.type === 'ExpressionStatement' && stmt.start === target.start && ['Program', 'BlockStatement', 'SwitchCase', 'StaticBlock'].includes(parent(stmt)?.type ?? '');
    s.prependRight(target.start, guard ? ';(await ' : '(await ');
    s.appendLeft(target.end, ')');
  }

  for (const f of st.containing) if (!f.async && !f.generator) moveBlockingDefaults(f);

  function containsBlockingCall(n: AnyNode): boolean {
    if (n.type === 'CallExpression' && st.blockingCalls.has(n)) return true;
    if (isFunctionNode(n)) return false;
    for (const key of Object.keys(n)) {
      const v = n[key];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof c.type === 'string' && containsBlockingCall(c)) return true;
      } else if (v && typeof v === 'object' && typeof v.type === 'string' && key !== 'loc' && containsBlockingCall(v)) return true;
    }
    return false;
  }

  /** `function f(r = http.get(u)) {…}` → `async function f(r) { if (r === undefined) r = await http.get(u); …}` */
  function moveBlockingDefaults(f: FunctionNode) {
    const moved: string[] = [];
    for (const param of f.params as AnyNode[]) {
      if (!containsBlockingCall(param)) continue;
      if (param.type !== 'AssignmentPattern' || param.left.type !== 'Identifier') {
        refuse(param, `a blocking call inside a destructuring default cannot be awaited: ${snippet(code, param)}`);
        continue;
      }
      const name = param.left.name as string;
      moved.push(`if (${name} === undefined) ${name} = ${s.slice(param.right.start, param.right.end)};`);
      s.remove(param.left.end, param.end);
    }
    if (moved.length === 0) return;
    const body = f.body as AnyNode;
    if (body.type === 'BlockStatement') {
      s.appendLeft(body.start + 1, ` ${moved.join(' ')}`);
    } else {
      const arrow = code.lastIndexOf('=>', body.start) + 2;
      s.appendLeft(arrow, ` { ${moved.join(' ')} return `);
      s.appendLeft(f.end, '; }');
    }
  }

  // --- module shape: imports, exports, per-VU identifiers ---------------------------------------
  const imports: ImportRef[] = [];
  const header: string[] = [];
  const exported = new Map<string, string>(); // exported name → local expression
  const at = (n: AnyNode) => ({ line: n.loc?.start.line ?? 1, column: (n.loc?.start.column ?? 0) + 1 });
  let defaultCounter = 0;
  for (const stmt of program.body as AnyNode[]) {
    if (stmt.type === 'ImportDeclaration') {
      const source = stmt.source.value as string;
      imports.push({ source, ...at(stmt) });
      const req = `${rt}.require(${JSON.stringify(source)})`;
      const named: string[] = [];
      for (const spec of stmt.specifiers as AnyNode[]) {
        if (spec.type === 'ImportDefaultSpecifier') header.push(`const ${spec.local.name} = ${rt}.importDefault(${JSON.stringify(source)});`);
        else if (spec.type === 'ImportNamespaceSpecifier') header.push(`const ${spec.local.name} = ${req};`);
        else {
          const imported = spec.imported.name ?? spec.imported.value;
          named.push(imported === spec.local.name ? imported : `${JSON.stringify(imported)}: ${spec.local.name}`);
        }
      }
      if (named.length > 0) header.push(`const { ${named.join(', ')} } = ${req};`);
      if (stmt.specifiers.length === 0) header.push(`${req};`);
      s.remove(stmt.start, stmt.end);
    } else if (stmt.type === 'ExportNamedDeclaration') {
      if (stmt.source) {
        refuse(stmt, `re-exporting from "${stmt.source.value}" is not supported by the engine; import and export the names instead`);
        continue;
      }
      if (stmt.declaration) {
        const d = stmt.declaration as AnyNode;
        s.remove(stmt.start, d.start);
        if (d.type === 'VariableDeclaration') {
          for (const decl of d.declarations) for (const id of patternNames(decl.id)) exported.set(id.name, id.name);
        } else if (d.id) exported.set(d.id.name, d.id.name);
      } else {
        for (const spec of stmt.specifiers as AnyNode[]) {
          const local = spec.local.name ?? spec.local.value;
          exported.set(spec.exported.name ?? spec.exported.value, VU_GLOBALS[local] && !info.resolve.get(spec.local) ? VU_GLOBALS[local] : local);
        }
        s.remove(stmt.start, stmt.end);
      }
    } else if (stmt.type === 'ExportDefaultDeclaration') {
      const d = stmt.declaration as AnyNode;
      if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) {
        s.remove(stmt.start, d.start);
        exported.set('default', d.id.name);
      } else if (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') {
        const name = `${defaultBase}${defaultCounter++ || ''}`;
        s.remove(stmt.start, d.start);
        const nameAt = d.type === 'ClassDeclaration' ? d.start + 'class'.length : code.indexOf('(', d.start);
        s.appendLeft(nameAt, ` ${name}`);
        exported.set('default', name);
      } else {
        s.overwrite(stmt.start, d.start, `const ${defaultBase} = `, { contentOnly: true });
        exported.set('default', defaultBase);
      }
    } else if (stmt.type === 'ExportAllDeclaration') {
      refuse(stmt, `export * from "${stmt.source.value}" is not supported by the engine`);
    }
  }

  // writes to globalThis are shared by every VU here (one realm); in k6 each VU has its own
  // `import.meta` is module-only syntax: the VU runtime provides `url` and `resolve()`
  for (const m of info.importMetas) s.overwrite(m.start, m.end, `${rt}.importMeta`);
  for (const d of info.dynamicImports) refuse(d, `dynamic import() is not supported by the engine: import ${snippet(code, d.source)} statically at the top of the script`);

  const warnings: Refusal[] = [];
  for (const id of info.globals) {
    if (id.name !== 'globalThis') continue;
    const m = parent(id);
    const w = m && parent(m);
    if (m?.type === 'MemberExpression' && m.object === id && w?.type === 'AssignmentExpression' && w.left === m) {
      warnings.push({ ...at(w), message: `${snippet(code, w)}: globalThis is shared by all VUs in the engine (one realm), while each k6 VU has its own` });
    }
  }

  // __VU, __ITER, __ENV read the VU's runtime (they are not globals: the realm is shared)
  for (const id of info.globals) {
    const repl = VU_GLOBALS[id.name as string];
    if (!repl) continue;
    const p = parent(id);
    if (p?.type === 'ExportSpecifier') continue;
    if (p?.type === 'Property' && p.shorthand) s.overwrite(id.start, id.end, `${id.name}: ${repl}`);
    else s.overwrite(id.start, id.end, repl);
  }

  const hashbang = /^#!.*/.exec(code);
  if (hashbang) s.remove(0, hashbang[0].length);
  const ret = [...exported].map(([name, local]) => `${JSON.stringify(name)}: ${local}`).join(', ');
  // `throw x` → `throw hook(x)`: the hook records where a string or object was thrown, since only
  // Error values carry a stack (k6 reports `throw 'text'` with its file:line too)
  if (thrownName) {
    for (const t of info.throws) {
      s.appendLeft(t.argument.start, `${thrownName}(`);
      s.prependRight(t.argument.end, ')');
    }
  }

  // The module body and its import bindings sit in a block of their own, so a top-level
  // `const process = …`, `let open` or `import { setTimeout } from 'k6/timers'` shadows the per-VU
  // parameter of the same name (as module-level names shadow globals in k6) instead of colliding
  // with it; the runtime parameter's own name is one the script never uses (freshName).
  const params = WRAPPER_PARAMS.map((p) => (p === '__k6' ? rt : p));
  s.prepend(`(async function (${params.join(', ')}) { "use strict"; { ${header.join(' ')}\n`);
  s.append(`\n;return { ${ret} };\n}})`);

  const refusals = [...st.refusals].map(([node, message]) => ({ ...at(node), message })).sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    code: s.toString(),
    map: s.generateMap({ hires: true, includeContent: false, source: 'script.js' }).toString(),
    imports,
    exportNames: [...exported.keys()],
    defaultLocal: exported.get('default') ?? null,
    refusals,
    warnings,
    stats: { awaitedCalls, asyncFunctions, arrayRewrites: st.arrayRewrites.size },
    thrownName,
  };
}
