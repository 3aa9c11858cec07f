/**
 * What every k6 bundle must satisfy (DESIGN D2), as reusable assertions: the scenario suite's
 * tests run the same checks on `build/*.js`.
 */
import * as acorn from 'acorn';

export interface BundleFacts {
  imports: string[];
  exports: string[];
  hasInlineSourceMap: boolean;
  hasRequire: boolean;
  hasNodeImport: boolean;
}

export function inspectBundle(code: string): BundleFacts {
  const ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  const imports: string[] = [];
  const exports: string[] = [];
  for (const node of ast.body) {
    if (node.type === 'ImportDeclaration') imports.push(String(node.source.value));
    if (node.type === 'ExportDefaultDeclaration') exports.push('default');
    if (node.type === 'ExportNamedDeclaration') {
      for (const s of node.specifiers) {
        const exported = s.exported;
        exports.push(exported.type === 'Identifier' ? exported.name : String(exported.value));
      }
      const d = node.declaration;
      if (d?.type === 'VariableDeclaration') {
        for (const v of d.declarations) if (v.id.type === 'Identifier') exports.push(v.id.name);
      } else if (d && 'id' in d && d.id) exports.push(d.id.name);
    }
  }
  return {
    imports,
    exports,
    hasInlineSourceMap: /\/\/# sourceMappingURL=data:application\/json;base64,/.test(code),
    hasRequire: /\brequire\s*\(/.test(code),
    hasNodeImport: /["']node:/.test(code),
  };
}

/** Returns the list of violations of D2; empty when the bundle is a valid k6 script. */
export function bundleViolations(code: string): string[] {
  const f = inspectBundle(code);
  const problems: string[] = [];
  const foreign = f.imports.filter((s) => s !== 'k6' && !s.startsWith('k6/'));
  if (foreign.length) problems.push(`imports other than k6: ${foreign.join(', ')}`);
  if (!f.exports.includes('default')) problems.push('no default export');
  if (!f.exports.includes('options')) problems.push('no options export');
  if (!f.hasInlineSourceMap) problems.push('no inline source map');
  if (f.hasRequire) problems.push('contains require(');
  if (f.hasNodeImport) problems.push('contains a node: import');
  return problems;
}
