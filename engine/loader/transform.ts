/**
 * The loader's one AST pass (DESIGN D3): turns a k6 script, where `http.get`, `sleep` and `group`
 * block the VU, into code for Node, where they return promises.
 *
 *  1. Find the calls that block in k6: `k6/http` request functions, `sleep`, `group`.
 *  2. Propagate to a fixpoint: a function containing a blocking call is blocking; a call to a
 *     blocking function is blocking. Callees are resolved through lexical scopes (declarations,
 *     `const f = () => …`, aliases, parameters that receive blocking callbacks) and, for method
 *     calls on receivers the pass cannot type, by method name ("when in doubt, await").
 *  3. Rewrite with magic-string: `await` before every blocking call, `async` on every blocking
 *     function, blocking callbacks of Array methods run sequentially through `__k6.<method>(arr, cb)`,
 *     blocking default parameters moved into the body.
 *  4. Refuse, with the original file:line, every shape that cannot be made safe: a blocking
 *     callback handed to a function that cannot wait for it, a blocking getter/setter/constructor/
 *     generator/class field, a blocking function used with `new`.
 *  5. Turn the ES module into one async function `(__k6, <per-VU globals>) => exports`: k6 imports
 *     become per-VU module instances (`__k6.require`), exports are returned, `__VU`/`__ITER`/`__ENV`
 *     read the VU's runtime.
 *
 * Already-async functions and existing `await`s are left alone: calling an async function does
 * not block in k6 either.
 */
import * as acorn from 'acorn';
import MagicString from 'magic-string';
import { analyzeScopes, isFunctionNode, patternNames, type AnyNode, type Binding, type FunctionNode, type ScopeInfo } from './scope.ts';

/** `k6/http` functions that block the VU in k6. */
export const HTTP_BLOCKING = new Set(['get', 'head', 'post', 'put', 'patch', 'del', 'options', 'request', 'batch']);
/** `k6` functions that block the VU in k6. */
export const K6_BLOCKING = new Set(['sleep', 'group']);
/** Array methods whose blocking callbacks are run sequentially by `__k6.<method>`. */
export const ARRAY_METHODS = new Set([
  'forEach',
  'map',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'reduce',
  'reduceRight',
  'flatMap',
]);
/** The names of esbuild's runtime helpers (module-level `var`s it emits when lowering syntax). */
const ESBUILD_HELPER = new RegExp(
  `^__(${[
    'create', 'defProp', 'defProps', 'getOwnPropDesc', 'getOwnPropDescs', 'getOwnPropNames', 'getOwnPropSymbols', 'getProtoOf',
    'hasOwnProp', 'propIsEnum', 'reflectGet', 'knownSymbol', 'typeError', 'defNormalProp', 'spreadValues', 'spreadProps',
    'markAsModule', 'name', 'require', 'esm', 'commonJS', 'export', 'copyProps', 'reExport', 'toESM', 'toCommonJS',
    'toBinaryNode', 'toBinary', 'objRest', 'decorateClass', 'decorateParam', 'decoratorStart', 'decoratorStrings',
    'decoratorContext', 'runInitializers', 'decorateElement', 'decoratorMetadata', 'publicField', 'accessCheck',
    'privateIn', 'privateGet', 'privateAdd', 'privateSet', 'privateMethod', 'earlyAccess', 'privateWrapper', 'superGet',
    'superSet', 'superWrapper', 'template', 'using', 'callDispose', 'pow', 'restKey', 'freeze',
  ].join('|')})\\d*$`,
);
/** Promise methods that already wait for an async callback. */
const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);
/** Globals whose callbacks the VU tracks (their promises are awaited before the iteration ends). */
const TRACKED_CALLBACK_GLOBALS = new Set(['setTimeout', 'setInterval']);

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

/** Free identifiers rewritten to the VU's runtime. */
const VU_GLOBALS: Record<string, string> = { __VU: '__k6.vu', __ITER: '__k6.iter', __ENV: '__k6.env' };

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
}

export class ScriptSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

interface PassState {
  info: ScopeInfo;
  /** Functions that contain a blocking call (including already-async ones). */
  containing: Set<FunctionNode>;
  blockingCalls: Set<AnyNode>;
  arrayRewrites: Set<AnyNode>;
  /** Property / method / function names under which a blocking function is reachable. */
  names: Set<string>;
  /** Function → indices of parameters that receive a blocking callback. */
  flagged: Map<FunctionNode, Set<number>>;
  /** A blocking function escaped into a place the pass does not follow (array, return value, …). */
  escaped: boolean;
  /** All object/class methods by name, for calls through receivers the pass cannot type. */
  methodsByName: Map<string, FunctionNode[]>;
  classified: Set<AnyNode>;
  refusals: Map<AnyNode, string>;
}

const isK6Module = (s: string | undefined): boolean => s === 'k6' || (!!s && s.startsWith('k6/'));

function propName(node: AnyNode, computed: boolean): string | null {
  if (computed) return node.type === 'Literal' && typeof node.value === 'string' ? node.value : null;
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'Literal') return String(node.value);
  if (node.type === 'PrivateIdentifier') return `#${node.name}`;
  return null;
}

/** Whether a callable blocks as a member of a k6 module binding (`http.get`, `k6.sleep`). */
function k6MemberBlocks(b: Binding, name: string): boolean {
  if (b.importName !== 'default' && b.importName !== '*') return false;
  if (b.importSource === 'k6/http') return HTTP_BLOCKING.has(name);
  if (b.importSource === 'k6') return K6_BLOCKING.has(name);
  return false;
}

/** Whether a binding imported from a k6 module is itself a blocking function (`import { sleep }`). */
function k6ImportBlocks(b: Binding): boolean {
  if (b.importSource === 'k6/http') return HTTP_BLOCKING.has(b.importName ?? '');
  if (b.importSource === 'k6') return K6_BLOCKING.has(b.importName ?? '');
  return false;
}

/** `group(…)` / `k6.group(…)` / `check(…)`: which k6 function a callee names, if any. */
function k6FunctionName(st: PassState, callee: AnyNode): string | null {
  if (callee.type === 'Identifier') {
    const b = st.info.resolve.get(callee);
    if (b?.kind === 'import' && b.importSource === 'k6' && b.importName !== 'default' && b.importName !== '*') return b.importName ?? null;
    return null;
  }
  if (callee.type === 'MemberExpression' && !callee.computed && callee.object.type === 'Identifier') {
    const b = st.info.resolve.get(callee.object);
    if (b?.kind === 'import' && b.importSource === 'k6' && (b.importName === 'default' || b.importName === '*')) return callee.property.name;
  }
  return null;
}

function fnBlocks(st: PassState, f: FunctionNode): boolean {
  return st.containing.has(f) && !f.async;
}

/** Whether calling the value bound to `b` blocks. */
function bindingBlocks(st: PassState, b: Binding, depth = 0): boolean {
  if (depth > 16) return false; // alias chains: `const a = b`, `const b = a` …
  if (b.kind === 'import') return k6ImportBlocks(b);
  if (b.fns.some((f) => fnBlocks(st, f))) return true;
  if (b.aliasOf && valueBlocks(st, b.aliasOf, depth + 1)) return true;
  if (b.propertyName !== undefined) {
    // `const { get } = http` / `const { fetch } = api`: like a member access by that name
    const from = b.destructuredFrom;
    const src = from?.type === 'Identifier' ? st.info.resolve.get(from) : undefined;
    if (src?.kind === 'import') return k6MemberBlocks(src, b.propertyName);
    if (st.names.has(b.propertyName)) return true;
  }
  if (b.paramOf && b.paramIndex !== undefined && st.flagged.get(b.paramOf)?.has(b.paramIndex)) return true;
  if (st.escaped && (b.kind === 'param' || b.kind === 'catch' || b.unknownValue)) return true;
  return false;
}

/** Whether `node`, used as a value, is a function whose call blocks. */
function valueBlocks(st: PassState, node: AnyNode, depth = 0): boolean {
  if (isFunctionNode(node)) return fnBlocks(st, node);
  if (node.type === 'Identifier') {
    const b = st.info.resolve.get(node);
    return b ? bindingBlocks(st, b, depth) : false;
  }
  if (node.type === 'MemberExpression') {
    const name = propName(node.property, node.computed);
    if (node.object.type === 'Identifier') {
      const b = st.info.resolve.get(node.object);
      if (!b) return false; // a global's member (Math.max, JSON.parse, …)
      if (b.kind === 'import') return name !== null && k6MemberBlocks(b, name);
      // an instance of a built-in (`new Map()`, `new URLSearchParams()`): its methods never block
      if (b.newOf?.type === 'Identifier' && !st.info.resolve.get(b.newOf) && !b.unknownValue && b.kind === 'const') return false;
    }
    const o = node.object as AnyNode;
    if (o.type === 'NewExpression' && o.callee.type === 'Identifier' && !st.info.resolve.get(o.callee)) return false;
    if (o.type === 'Literal' || o.type === 'TemplateLiteral' || o.type === 'ArrayExpression') return false;
    if (name === null) return st.escaped;
    return st.names.has(name);
  }
  if (node.type === 'ChainExpression') return valueBlocks(st, node.expression, depth);
  return false;
}

function callBlocks(st: PassState, call: AnyNode): boolean {
  if (st.arrayRewrites.has(call)) return true;
  const callee = call.callee as AnyNode;
  if (isFunctionNode(callee)) return fnBlocks(st, callee);
  if (callee.type === 'Identifier') return valueBlocks(st, callee);
  if (callee.type === 'MemberExpression') {
    const name = propName(callee.property, callee.computed);
    if ((name === 'call' || name === 'apply') && (st.escaped || valueBlocks(st, callee.object))) return true;
    return valueBlocks(st, callee);
  }
  if (callee.type === 'Super') return false;
  return st.escaped;
}

/** The text of a node, shortened, for messages. */
function snippet(code: string, node: AnyNode): string {
  const t = code.slice(node.start, node.end).replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

export function transformScript(code: string): TransformResult {
  let program: AnyNode;
  try {
    program = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true, allowHashBang: true }) as AnyNode;
  } catch (err) {
    const e = err as SyntaxError & { loc?: { line: number; column: number } };
    throw new ScriptSyntaxError(`SyntaxError: ${e.message.replace(/ \(\d+:\d+\)$/, '')}`, e.loc?.line ?? 1, (e.loc?.column ?? 0) + 1);
  }
  const info = analyzeScopes(program);
  const st: PassState = {
    info,
    containing: new Set(),
    blockingCalls: new Set(),
    arrayRewrites: new Set(),
    names: new Set(),
    flagged: new Map(),
    escaped: false,
    methodsByName: new Map(),
    classified: new Set(),
    refusals: new Map(),
  };
  const parent = (n: AnyNode): AnyNode | null => info.parent.get(n) ?? null;
  const refuse = (node: AnyNode, message: string) => {
    if (!st.refusals.has(node)) st.refusals.set(node, message);
  };

  // --- esbuild's runtime helpers (`var __privateGet = (obj, member, getter) => …`) ---------------
  // They never block and only move values around; passing a blocking function through one counts
  // as an escape (it may be called later through the value), and nothing inside them is rewritten.
  const helperBindings = new Set<Binding>();
  const helperRanges: [number, number][] = [];
  for (const stmt of program.body as AnyNode[]) {
    if (stmt.type !== 'VariableDeclaration' || stmt.kind !== 'var') continue;
    for (const d of stmt.declarations as AnyNode[]) {
      if (d.id.type !== 'Identifier' || !ESBUILD_HELPER.test(d.id.name) || !d.init) continue;
      const b = info.declared.get(d.id);
      if (!b) continue;
      helperBindings.add(b);
      helperRanges.push([d.init.start, d.init.end]);
    }
  }
  const isHelperCallee = (callee: AnyNode) => callee.type === 'Identifier' && helperBindings.has(info.resolve.get(callee) as Binding);
  const insideHelper = (n: AnyNode) => helperRanges.some(([a, b]) => n.start >= a && n.end <= b);

  // --- worklist: a call is re-checked only when something it could depend on changed ----------
  // Calls are indexed by every name their blocking-ness can hinge on: the callee's identifier or
  // member name, the `x` of `x.call()`, and for identifiers the name they alias or destructure.
  const callsByName = new Map<string, AnyNode[]>();
  const index = (name: string | null | undefined, call: AnyNode) => {
    if (!name) return;
    const list = callsByName.get(name);
    if (list) list.push(call);
    else callsByName.set(name, [call]);
  };
  const nameOf = (n: AnyNode): string | null =>
    n.type === 'Identifier' ? n.name : n.type === 'MemberExpression' ? propName(n.property, n.computed) : n.type === 'ChainExpression' ? nameOf(n.expression) : null;
  for (const call of info.calls) {
    const callee = call.callee as AnyNode;
    index(nameOf(callee), call);
    if (callee.type === 'MemberExpression') index(nameOf(callee.object), call);
    const b = callee.type === 'Identifier' ? info.resolve.get(callee) : undefined;
    if (b?.propertyName) index(b.propertyName, call);
    if (b?.aliasOf) index(nameOf(b.aliasOf), call);
  }
  const queue: AnyNode[] = [...info.calls];
  const queued = new Set<AnyNode>(queue);
  const enqueue = (call: AnyNode) => {
    if (queued.has(call) || st.blockingCalls.has(call)) return;
    queued.add(call);
    queue.push(call);
  };
  const touch = (name: string) => {
    for (const c of callsByName.get(name) ?? []) enqueue(c);
  };
  const addName = (name: string) => {
    if (st.names.has(name)) return;
    st.names.add(name);
    touch(name);
  };
  const escape = () => {
    if (st.escaped) return;
    st.escaped = true;
    for (const c of info.calls) enqueue(c);
  };

  for (const f of info.functions) {
    const p = parent(f);
    if (p && (p.type === 'MethodDefinition' || (p.type === 'Property' && p.value === f))) {
      const name = propName(p.key, p.computed);
      if (name) st.methodsByName.set(name, [...(st.methodsByName.get(name) ?? []), f]);
    }
  }

  // --- how a blocking function value is used --------------------------------------------------
  const flagParam = (f: FunctionNode, index: number, arg: AnyNode) => {
    const param = f.params[index] as AnyNode | undefined;
    if (!param) return; // extra argument: the function never sees it by name
    if (param.type === 'RestElement' || (param.type !== 'Identifier' && !(param.type === 'AssignmentPattern' && param.left.type === 'Identifier'))) {
      refuse(arg, `blocking function ${snippet(code, arg)} is passed into a destructured or rest parameter, which the loader cannot follow`);
      return;
    }
    const set = st.flagged.get(f) ?? new Set<number>();
    if (set.has(index)) return;
    set.add(index);
    st.flagged.set(f, set);
    const b = info.params.get(f)?.[index];
    if (b) {
      touch(b.name);
      for (const r of b.refs) classifyUse(r);
    }
  };

  const classifyArg = (call: AnyNode, index: number, arg: AnyNode) => {
    const callee = call.callee as AnyNode;
    if (isHelperCallee(callee)) {
      // `__publicField(this, "fetch", () => …)`: the string names the member it becomes
      for (const a of call.arguments as AnyNode[]) if (a.type === 'Literal' && typeof a.value === 'string') addName(a.value);
      escape();
      return;
    }
    const k6fn = k6FunctionName(st, callee);
    if (k6fn === 'group' && index === 1) return;
    if (k6fn) {
      refuse(arg, `blocking function ${snippet(code, arg)} is passed to ${k6fn}(), which cannot wait for it`);
      return;
    }
    if (callee.type === 'MemberExpression') {
      const name = propName(callee.property, callee.computed);
      if (name && ARRAY_METHODS.has(name) && index === 0) {
        st.arrayRewrites.add(call);
        enqueue(call);
        return;
      }
      if (name && PROMISE_METHODS.has(name)) return;
      if (name && (name === 'call' || name === 'apply') && index >= 1 && callee.object) {
        // fn.call(thisArg, cb): the callee's parameter index shifts by one
        const targets = calleeFunctions(callee.object);
        if (targets.length > 0 && name === 'call') {
          for (const f of targets) flagParam(f, index - 1, arg);
          return;
        }
      }
      if (name && !callee.computed) {
        const receiver = callee.object as AnyNode;
        const global = receiver.type === 'Identifier' && !info.resolve.get(receiver);
        const methods = global ? undefined : st.methodsByName.get(name);
        if (methods && methods.length > 0) {
          for (const f of methods) flagParam(f, index, arg);
          return;
        }
      }
    }
    if (callee.type === 'Identifier') {
      const b = info.resolve.get(callee);
      if (!b && TRACKED_CALLBACK_GLOBALS.has(callee.name)) return;
      if (b?.kind === 'import' && b.importSource === 'k6/timers' && TRACKED_CALLBACK_GLOBALS.has(b.importName ?? '')) return;
    }
    const targets = calleeFunctions(callee);
    if (targets.length > 0) {
      for (const f of targets) flagParam(f, index, arg);
      // `__publicField(this, "fetch", () => …)` (esbuild's lowered class field): the string names the member
      for (const a of call.arguments as AnyNode[]) if (a.type === 'Literal' && typeof a.value === 'string') addName(a.value);
      return;
    }
    refuse(arg, `blocking function ${snippet(code, arg)} is passed to ${snippet(code, callee)}(), which cannot wait for it`);
  };

  /** The local functions a callee expression is known to call. */
  const calleeFunctions = (callee: AnyNode): FunctionNode[] => {
    if (isFunctionNode(callee)) return [callee];
    if (callee.type === 'Identifier') {
      const b = info.resolve.get(callee);
      if (!b) return [];
      const out = [...b.fns];
      if (b.aliasOf) out.push(...calleeFunctions(b.aliasOf));
      return out;
    }
    return [];
  };

  const classifyUse = (v: AnyNode): void => {
    if (st.classified.has(v)) return;
    st.classified.add(v);
    const p = parent(v);
    if (!p) return;
    switch (p.type) {
      case 'CallExpression':
        if (p.callee === v) return;
        classifyArg(p, p.arguments.indexOf(v), v);
        return;
      case 'NewExpression':
        refuse(v, `blocking function ${snippet(code, v)} is used with new; a constructor cannot wait`);
        return;
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        classifyUse(p);
        return;
      case 'MemberExpression': {
        if (p.object !== v) return;
        const name = propName(p.property, p.computed);
        if (name === 'bind') escape();
        return;
      }
      case 'VariableDeclarator':
        if (p.init !== v) return;
        if (p.id.type === 'Identifier') {
          const b = info.declared.get(p.id);
          if (b) {
            addName(p.id.name);
            for (const r of b.refs) classifyUse(r);
            return;
          }
        }
        escape();
        return;
      case 'AssignmentExpression':
        if (p.right !== v) return;
        if (p.left.type === 'MemberExpression') {
          const name = propName(p.left.property, p.left.computed);
          if (name) addName(name);
          else escape();
          return;
        }
        escape();
        return;
      case 'Property': {
        if (p.value !== v) return;
        if (p.kind === 'get' || p.kind === 'set') {
          refuse(v, `a ${p.kind}ter cannot block: ${snippet(code, p)}`);
          return;
        }
        const name = propName(p.key, p.computed);
        if (name) addName(name);
        else escape();
        // `check(res, { 'ok': () => http.get(…) })`: the object hands its functions to a k6 function
        const obj = parent(p);
        const call = obj && parent(obj);
        if (call?.type === 'CallExpression' && call.arguments.includes(obj)) {
          const k6fn = k6FunctionName(st, call.callee);
          if (k6fn) refuse(v, `blocking function ${snippet(code, v)} is passed to ${k6fn}(), which cannot wait for it`);
        }
        return;
      }
      case 'MethodDefinition': {
        if (p.kind === 'get' || p.kind === 'set') refuse(v, `a ${p.kind}ter cannot block: ${snippet(code, p)}`);
        else if (p.kind === 'constructor') refuse(v, 'a class constructor cannot block (move the blocking call into a method)');
        else {
          const name = propName(p.key, p.computed);
          if (name) addName(name);
          else escape();
        }
        return;
      }
      case 'PropertyDefinition': {
        const name = propName(p.key, p.computed);
        if (name) addName(name);
        else escape();
        return;
      }
      case 'ExportDefaultDeclaration':
      case 'ExportSpecifier':
      case 'AwaitExpression':
      case 'ExpressionStatement':
      case 'UnaryExpression':
      case 'BinaryExpression':
        return;
      default:
        escape();
    }
  };

  const becameBlocking = (f: FunctionNode) => {
    if (f.generator) refuse(f, 'a generator function cannot block (sleep/http/group inside function*)');
    if (f.async) {
      // already async: its callers do not block on it, as in k6 … except `arr.forEach(async (x) => {
      // http.get(x) })`, where k6 runs each callback to completion (http.get blocks) before the next
      const p = parent(f);
      if (p?.type === 'CallExpression' && p.arguments[0] === f && p.callee.type === 'MemberExpression' && propName(p.callee.property, p.callee.computed) === 'forEach') {
        st.arrayRewrites.add(p);
        enqueue(p);
      }
      return;
    }
    if (f.type === 'FunctionDeclaration' && f.id) {
      addName(f.id.name);
      const b = info.declared.get(f.id);
      if (b) for (const r of b.refs) classifyUse(r);
      return;
    }
    if (f.type === 'FunctionExpression' && f.id) addName(f.id.name);
    classifyUse(f);
  };

  // --- fixpoint -------------------------------------------------------------------------------
  const fieldContext = (n: AnyNode): AnyNode | null => {
    for (let c: AnyNode | null = parent(n); c; c = parent(c)) {
      if (isFunctionNode(c)) return null;
      if (c.type === 'PropertyDefinition' || c.type === 'StaticBlock') return c;
    }
    return null;
  };
  while (queue.length > 0) {
    const call = queue.pop() as AnyNode;
    queued.delete(call);
    if (st.blockingCalls.has(call) || isHelperCallee(call.callee) || insideHelper(call) || !callBlocks(st, call)) continue;
    st.blockingCalls.add(call);
    const field = fieldContext(call);
    if (field) refuse(call, `a blocking call in a class field initialiser or static block cannot be awaited: ${snippet(code, call)}`);
    const f = info.fnOf.get(call) ?? null;
    if (f && !st.containing.has(f)) {
      st.containing.add(f);
      becameBlocking(f);
      // an IIFE: the call of the function itself
      const p = parent(f);
      if (p?.type === 'CallExpression' && p.callee === f) enqueue(p);
    }
  }

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
      s.prependRight(call.start, `__k6.${method}(`);
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
      const req = `__k6.require(${JSON.stringify(source)})`;
      const named: string[] = [];
      for (const spec of stmt.specifiers as AnyNode[]) {
        if (spec.type === 'ImportDefaultSpecifier') header.push(`const ${spec.local.name} = __k6.importDefault(${JSON.stringify(source)});`);
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
        const name = `__k6_default${defaultCounter++ || ''}`;
        s.remove(stmt.start, d.start);
        const nameAt = d.type === 'ClassDeclaration' ? d.start + 'class'.length : code.indexOf('(', d.start);
        s.appendLeft(nameAt, ` ${name}`);
        exported.set('default', name);
      } else {
        s.overwrite(stmt.start, d.start, 'const __k6_default = ', { contentOnly: true });
        exported.set('default', '__k6_default');
      }
    } else if (stmt.type === 'ExportAllDeclaration') {
      refuse(stmt, `export * from "${stmt.source.value}" is not supported by the engine`);
    }
  }

  // writes to globalThis are shared by every VU here (one realm); in k6 each VU has its own
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
  s.prepend(`(async function (${WRAPPER_PARAMS.join(', ')}) { "use strict"; ${header.join(' ')}\n`);
  s.append(`\n;return { ${ret} };\n})`);

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
  };
}
