/**
 * Which calls and functions block (DESIGN D3), for the loader's pass (transform.ts):
 *
 *  - the calls that block in k6: `k6/http` request functions, `sleep`, `group`;
 *  - propagation over a worklist: a function containing a blocking call is blocking; a call to a
 *    blocking function is blocking. Callees are resolved through lexical scopes (declarations,
 *    `const f = () => …`, aliases, destructuring, parameters that receive blocking callbacks) and,
 *    for method calls on receivers the pass cannot type, by method name ("when in doubt, await");
 *  - refusals, with the node to report, for every shape that cannot be made safe: a blocking
 *    callback handed to a function that cannot wait for it, a blocking getter/setter/constructor/
 *    generator/class field, a blocking function used with `new`.
 *
 * Already-async functions are not blocking for their callers: calling one does not block in k6.
 */
import { isFunctionNode, type AnyNode, type Binding, type FunctionNode, type ScopeInfo } from './scope.ts';

/** `k6/http` functions that block the VU in k6. */
export const HTTP_BLOCKING = new Set(['get', 'head', 'post', 'put', 'patch', 'del', 'options', 'request', 'batch']);
/** `k6` functions that block the VU in k6. */
export const K6_BLOCKING = new Set(['sleep', 'group']);
/** Every k6 module function that blocks the VU in k6, by module (`import { connect } from 'k6/ws'`). */
export const MODULE_BLOCKING: Readonly<Record<string, ReadonlySet<string>>> = {
  'k6/http': HTTP_BLOCKING,
  k6: K6_BLOCKING,
  'k6/ws': new Set(['connect']), // returns when the socket has closed
};
/**
 * Methods of objects a k6 module hands out that block in k6 (`client.invoke(…)` of k6/net/grpc):
 * when a script imports the module, calls by these method names are awaited ("when in doubt, await").
 */
export const MODULE_BLOCKING_METHODS: Readonly<Record<string, readonly string[]>> = {
  'k6/net/grpc': ['connect', 'invoke', 'healthCheck'],
};
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

export interface BlockingAnalysis {
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

export function propName(node: AnyNode, computed: boolean): string | null {
  if (computed) return node.type === 'Literal' && typeof node.value === 'string' ? node.value : null;
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'Literal') return String(node.value);
  if (node.type === 'PrivateIdentifier') return `#${node.name}`;
  return null;
}

/** Whether a callable blocks as a member of a k6 module binding (`http.get`, `k6.sleep`). */
function k6MemberBlocks(b: Binding, name: string): boolean {
  if (b.importName !== 'default' && b.importName !== '*') return false;
  return MODULE_BLOCKING[b.importSource ?? '']?.has(name) ?? false;
}

/** Whether a binding imported from a k6 module is itself a blocking function (`import { sleep }`). */
function k6ImportBlocks(b: Binding): boolean {
  return MODULE_BLOCKING[b.importSource ?? '']?.has(b.importName ?? '') ?? false;
}

/** `group(…)` / `k6.group(…)` / `check(…)`: which k6 function a callee names, if any. */
function k6FunctionName(st: BlockingAnalysis, callee: AnyNode): string | null {
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

function fnBlocks(st: BlockingAnalysis, f: FunctionNode): boolean {
  return st.containing.has(f) && !f.async;
}

/** Whether calling the value bound to `b` blocks. */
function bindingBlocks(st: BlockingAnalysis, b: Binding, depth = 0): boolean {
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
function valueBlocks(st: BlockingAnalysis, node: AnyNode, depth = 0): boolean {
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

function callBlocks(st: BlockingAnalysis, call: AnyNode): boolean {
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
export function snippet(code: string, node: AnyNode): string {
  const t = code.slice(node.start, node.end).replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

/** Finds every blocking call and function of a parsed script, and the shapes to refuse. */
export function analyzeBlocking(code: string, program: AnyNode, info: ScopeInfo): BlockingAnalysis {
  const st: BlockingAnalysis = {
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
  for (const stmt of program.body as AnyNode[]) {
    if (stmt.type === 'ImportDeclaration') for (const m of MODULE_BLOCKING_METHODS[stmt.source.value as string] ?? []) st.names.add(m);
  }
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

  // k6 forbids async functions as group() callbacks (their tags and duration would be wrong);
  // refuse them here too, so a script that runs on the engine also runs on k6 (D8)
  // and an async check() condition would always pass (its promise is truthy)
  for (const call of info.calls) {
    const cb = call.arguments[1] as AnyNode | undefined;
    if (!cb) continue;
    const fn = k6FunctionName(st, call.callee);
    if (fn === 'group' && isFunctionNode(cb) && cb.async && !st.refusals.has(cb)) {
      st.refusals.set(cb, 'k6 does not accept an async function as the group() callback: make it a plain function (blocking calls inside it work as in k6)');
    }
    if (fn === 'check' && cb.type === 'ObjectExpression') {
      for (const prop of cb.properties as AnyNode[]) {
        if (prop.type === 'Property' && isFunctionNode(prop.value) && prop.value.async && !st.refusals.has(prop.value)) {
          st.refusals.set(prop.value, 'an async check() condition always passes (its promise is truthy): await the value first, then check it with a plain function');
        }
      }
    }
  }
  return st;
}
