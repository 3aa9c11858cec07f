// The boundaries DESIGN.md draws, checked by `npm run lint:deps` (part of `npm test`):
//   engine/ is the runtime: it imports none of the app shell (cli/), ops/, the reference service
//   (wms/) or report/ (D9, the layout section);
//   scenarios/ and lib/ are plain k6 (D1): they import only k6, k6/* and relative files of their own
//   (and thresholds.json, which travels inside the bundle, D2);
//   no import cycles anywhere (type-only imports included: they are where loops start).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'engine-imports-no-app',
      comment: 'engine/ must not import cli/, ops/, wms/ or report/ (DESIGN.md layout)',
      severity: 'error',
      from: { path: '^engine/' },
      to: { path: '^(cli|ops|wms|report)/' },
    },
    {
      name: 'scenarios-are-plain-k6',
      comment: 'scenarios/ and lib/ import only k6, k6/* and relative files (D1)',
      severity: 'error',
      from: { path: '^(scenarios|lib)/' },
      to: { pathNot: ['^(scenarios|lib)/', '^thresholds\\.json$', '^k6(/|$)', '^node_modules/@types/k6/'] },
    },
    {
      name: 'no-circular',
      comment: 'an import cycle: break it with a module both sides can import',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|build|results|test/fixtures)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Imports ending in .ts (allowImportingTsExtensions) resolve as written.
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
