/**
 * A small lexical-scope analysis of an ESM script (acorn AST) for the loader's blocking-call pass:
 * which declaration each identifier refers to (function declarations, `const f = () => …`,
 * parameters, k6 imports), the enclosing function of every node, and every node's parent.
 * Only what the pass needs; no type inference.
 */
import type { Node } from 'acorn';

// acorn's ESTree types are loose; the pass reads nodes through this one shape.
export type AnyNode = Node & Record<string, any>;

export type FunctionNode = AnyNode & {
  type: 'FunctionDeclaration' | 'FunctionExpression' | 'ArrowFunctionExpression';
};

export interface Binding {
  name: string;
  kind: 'var' | 'let' | 'const' | 'function' | 'class' | 'param' | 'import' | 'catch';
  /** Function values this binding is known to hold (declaration, initialiser, assignments). */
  fns: FunctionNode[];
  /** Values assigned that are not functions we know (a call result, a member, …). */
  unknownValue: boolean;
  /** For a `const x = <identifier>` alias: the aliased identifier. */
  aliasOf?: AnyNode;
  /** For imports: the module and the imported name ('default', '*' or a name). */
  importSource?: string;
  importName?: string;
  /** For params: the function and position. */
  paramOf?: FunctionNode;
  paramIndex?: number;
  /** Identifier nodes that read this binding. */
  refs: AnyNode[];
  /** Constructor the binding was initialised with (`const c = new Client()`): the callee. */
  newOf?: AnyNode;
  /** For `const { name: local } = source`: the property name and the source expression. */
  propertyName?: string;
  destructuredFrom?: AnyNode;
}

export class Scope {
  readonly bindings = new Map<string, Binding>();
  constructor(
    readonly parent: Scope | null,
    readonly isFunction: boolean,
  ) {}
  lookup(name: string): Binding | null {
    for (let s: Scope | null = this; s; s = s.parent) {
      const b = s.bindings.get(name);
      if (b) return b;
    }
    return null;
  }
  functionScope(): Scope {
    let s: Scope = this;
    while (!s.isFunction && s.parent) s = s.parent;
    return s;
  }
}

export function isFunctionNode(n: AnyNode | null | undefined): n is FunctionNode {
  return !!n && (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression');
}

/** Child nodes of `node` (acorn's field order: a parent is always visited before its children). */
export function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key in node) {
    if (key === 'loc' || key === 'start' || key === 'end' || key === 'type' || key === 'range') continue;
    const v = node[key];
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === 'string') out.push(c);
    } else if (typeof v.type === 'string') out.push(v);
  }
  return out;
}

/** Names bound by a declaration pattern (`a`, `{ b, c: [d] }`, `...e`, `f = 1`). */
export function patternNames(p: AnyNode | null, out: AnyNode[] = []): AnyNode[] {
  if (!p) return out;
  switch (p.type) {
    case 'Identifier':
      out.push(p);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const el of p.elements) patternNames(el, out);
      break;
    case 'RestElement':
      patternNames(p.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(p.left, out);
      break;
  }
  return out;
}

export interface ScopeInfo {
  parent: Map<AnyNode, AnyNode | null>;
  /** Innermost function containing a node (null: module top level). Params belong to their function. */
  fnOf: Map<AnyNode, FunctionNode | null>;
  /** Resolved binding of every reference identifier (absent: a global). */
  resolve: Map<AnyNode, Binding>;
  /** Every identifier in reference position with no binding (globals). */
  globals: AnyNode[];
  functions: FunctionNode[];
  calls: AnyNode[];
  /** Bindings of the module scope. */
  module: Scope;
  /** Parameter bindings of each function, by position (null for destructured/rest params). */
  params: Map<FunctionNode, (Binding | null)[]>;
  /** The binding each declaring identifier creates. */
  declared: Map<AnyNode, Binding>;
  /** `import.meta` and `import(…)` nodes (a function script can have neither: rewritten or refused). */
  importMetas: AnyNode[];
  dynamicImports: AnyNode[];
  /** `throw` statements (the loader records where a non-Error value was thrown). */
  throws: AnyNode[];
}

function newBinding(scope: Scope, name: string, kind: Binding['kind']): Binding {
  const existing = scope.bindings.get(name);
  if (existing) return existing;
  const b: Binding = { name, kind, fns: [], unknownValue: false, refs: [] };
  scope.bindings.set(name, b);
  return b;
}

/** Whether `id` (child of `parent`) is a reference rather than a name/key/label. */
function isReference(id: AnyNode, parent: AnyNode | null): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return parent.object === id || parent.computed;
    case 'Property':
      if (parent.key === id && !parent.computed) return parent.shorthand && parent.value === id;
      return true;
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return parent.key !== id || parent.computed;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false;
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ExportSpecifier':
      return parent.type === 'ExportSpecifier' && parent.local === id;
    case 'MetaProperty':
      return false;
    default:
      return true;
  }
}

export function analyzeScopes(program: AnyNode): ScopeInfo {
  const info: ScopeInfo = {
    parent: new Map(),
    fnOf: new Map(),
    resolve: new Map(),
    globals: [],
    functions: [],
    calls: [],
    module: new Scope(null, true),
    params: new Map(),
    declared: new Map(),
    importMetas: [],
    dynamicImports: [],
    throws: [],
  };
  const scopeOf = new Map<AnyNode, Scope>();
  const declIds = {
    ids: new Set<AnyNode>(),
    add(id: AnyNode, b?: Binding) {
      this.ids.add(id);
      if (b) info.declared.set(id, b);
    },
    has(id: AnyNode) {
      return this.ids.has(id);
    },
  };

  // Pass 1: scopes and declarations (hoisting included), parents, enclosing functions.
  const declare = (node: AnyNode, parent: AnyNode | null, scope: Scope, fn: FunctionNode | null): void => {
    info.parent.set(node, parent);
    info.fnOf.set(node, fn);
    let inner = scope;
    let innerFn = fn;
    switch (node.type) {
      case 'ImportDeclaration':
        for (const spec of node.specifiers) {
          const b = newBinding(info.module, spec.local.name, 'import');
          b.importSource = node.source.value;
          b.importName =
            spec.type === 'ImportDefaultSpecifier' ? 'default' : spec.type === 'ImportNamespaceSpecifier' ? '*' : spec.imported.name ?? spec.imported.value;
          declIds.add(spec.local, b);
        }
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        info.functions.push(node as FunctionNode);
        inner = new Scope(scope, true);
        scopeOf.set(node, inner);
        innerFn = node as FunctionNode;
        if (node.id) {
          const target = node.type === 'FunctionDeclaration' ? scope : inner;
          const b = newBinding(target, node.id.name, 'function');
          b.fns.push(node as FunctionNode);
          declIds.add(node.id, b);
        }
        const byIndex: (Binding | null)[] = [];
        info.params.set(node as FunctionNode, byIndex);
        node.params.forEach((p: AnyNode, i: number) => {
          byIndex[i] = null;
          for (const id of patternNames(p)) {
            const b = newBinding(inner, id.name, 'param');
            if (p.type === 'Identifier' || (p.type === 'AssignmentPattern' && p.left === id)) {
              b.paramOf = node as FunctionNode;
              b.paramIndex = i;
              byIndex[i] = b;
            } else b.unknownValue = true;
            if (p.type === 'AssignmentPattern' && isFunctionNode(p.right)) b.fns.push(p.right);
            declIds.add(id, b);
          }
        });
        break;
      }
      case 'ClassDeclaration':
        if (node.id) {
          declIds.add(node.id, newBinding(scope, node.id.name, 'class'));
        }
        break;
      case 'VariableDeclaration': {
        const target = node.kind === 'var' ? scope.functionScope() : scope;
        for (const d of node.declarations) {
          const ids = patternNames(d.id);
          for (const id of ids) {
            const b = newBinding(target, id.name, node.kind);
            declIds.add(id, b);
            if (d.id === id && d.init) {
              if (isFunctionNode(d.init)) b.fns.push(d.init);
              else if (d.init.type === 'Identifier' || d.init.type === 'MemberExpression') {
                b.aliasOf = d.init;
              } else if (d.init.type === 'NewExpression') {
                b.newOf = d.init.callee;
              } else b.unknownValue = true;
            } else if (d.id !== id || (!d.init && node.kind !== 'var')) b.unknownValue = true;
          }
          if (d.id.type === 'ObjectPattern' && d.init) {
            for (const prop of d.id.properties) {
              if (prop.type !== 'Property' || prop.computed) continue;
              const target = prop.value.type === 'AssignmentPattern' ? prop.value.left : prop.value;
              if (target.type !== 'Identifier') continue;
              const b = info.declared.get(target);
              if (!b) continue;
              b.propertyName = prop.key.type === 'Identifier' ? prop.key.name : String(prop.key.value);
              b.destructuredFrom = d.init;
            }
          }
        }
        break;
      }
      case 'CatchClause':
        inner = new Scope(scope, false);
        scopeOf.set(node, inner);
        for (const id of patternNames(node.param)) {
          const b = newBinding(inner, id.name, 'catch');
          b.unknownValue = true;
          declIds.add(id, b);
        }
        break;
      case 'BlockStatement':
        if (parent && isFunctionNode(parent) && parent.body === node) break; // the function's own scope
        inner = new Scope(scope, false);
        scopeOf.set(node, inner);
        break;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'SwitchStatement':
      case 'ClassBody':
        inner = new Scope(scope, false);
        scopeOf.set(node, inner);
        break;
      case 'CallExpression':
        info.calls.push(node);
        break;
      case 'MetaProperty':
        if (node.meta.name === 'import') info.importMetas.push(node);
        break;
      case 'ImportExpression':
        info.dynamicImports.push(node);
        break;
      case 'ThrowStatement':
        info.throws.push(node);
        break;
      case 'ClassExpression':
        if (node.id) {
          inner = new Scope(scope, false);
          scopeOf.set(node, inner);
          declIds.add(node.id, newBinding(inner, node.id.name, 'class'));
        }
        break;
    }
    for (const c of children(node)) declare(c, node, inner, innerFn);
  };
  declare(program, null, info.module, null);
  scopeOf.set(program, info.module);

  // Pass 2: resolve references (scopes are complete, so hoisting is honoured).
  const resolveIn = (node: AnyNode, scope: Scope): void => {
    const own = scopeOf.get(node);
    const s = own ?? scope;
    if (node.type === 'Identifier' && !declIds.has(node) && isReference(node, info.parent.get(node) ?? null)) {
      const b = s.lookup(node.name);
      if (b) {
        info.resolve.set(node, b);
        b.refs.push(node);
      } else info.globals.push(node);
    }
    if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier') {
      const b = s.lookup(node.left.name);
      if (b) {
        if (isFunctionNode(node.right)) b.fns.push(node.right);
        else b.unknownValue = true;
      }
    }
    for (const c of children(node)) resolveIn(c, s);
  };
  resolveIn(program, info.module);
  return info;
}
