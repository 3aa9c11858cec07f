import { mkdtemp, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, bundleToDir, bundleToString } from '../../engine/build/bundle.ts';
import { listScenarios } from '../../cli/build.ts';
import { bundleViolations, inspectBundle } from './bundle-checks.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-bundle-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scenario(name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
  return file;
}

describe('bundles of scenarios/*.ts', () => {
  it('every scenario bundles into a valid k6 script', async () => {
    const entries = await listScenarios();
    expect(entries.length).toBeGreaterThan(0);
    const out = path.join(dir, 'build');
    const written = await bundleToDir(entries, out);
    expect(written.map((w) => path.basename(w))).toEqual(entries.map((e) => path.basename(e, '.ts') + '.js'));
    for (const file of written) {
      const code = await readFile(file, 'utf8');
      expect(bundleViolations(code), file).toEqual([]);
      expect(inspectBundle(code).imports).toContain('k6/http');
    }
  });
});

describe('bundle rules (D2)', () => {
  it('keeps k6 and k6/* external, bundles relative files and JSON, adds an inline source map', async () => {
    await scenario('data/limits.json', JSON.stringify({ p95: 321 }));
    await scenario('helper.ts', 'export const double = (n: number): number => n * 2;\n');
    const entry = await scenario(
      'ok.ts',
      [
        "import http from 'k6/http';",
        "import { sleep } from 'k6';",
        "import exec from 'k6/execution';",
        "import limits from './data/limits.json';",
        "import { double } from './helper.ts';",
        'export const options = { thresholds: { http_req_duration: [`p(95)<${limits.p95}`] } };',
        'export default function () { http.get(`http://127.0.0.1/${double(exec.vu.idInTest)}`); sleep(1); }',
      ].join('\n'),
    );
    const code = await bundleToString(entry);
    const facts = inspectBundle(code);
    expect(facts.imports.sort()).toEqual(['k6', 'k6/execution', 'k6/http']);
    expect(code).toContain('321');
    expect(code).toContain('n * 2');
    expect(bundleViolations(code)).toEqual([]);
    const map = JSON.parse(
      Buffer.from(code.split('sourceMappingURL=data:application/json;base64,')[1]!, 'base64').toString(),
    );
    expect(map.sources.some((s: string) => s.endsWith('ok.ts'))).toBe(true);
  });

  it('refuses a Node built-in with file:line', async () => {
    const entry = await scenario('uses-fs.ts', "import http from 'k6/http';\nimport fs from 'fs';\nexport default () => http.get(String(fs));\n");
    const err = await bundleToString(entry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).message).toMatch(/uses-fs\.ts:2:\d+: error: cannot import Node built-in "fs"/);
  });

  it('refuses a node: import with file:line', async () => {
    const entry = await scenario('uses-node.ts', "\n\nimport { readFileSync } from 'node:fs';\nexport default () => readFileSync('x');\n");
    const err = await bundleToString(entry).catch((e: unknown) => e);
    expect((err as BundleError).message).toMatch(/uses-node\.ts:3:\d+: error: cannot import Node built-in "node:fs"/);
  });

  it('refuses an unresolvable path with file:line, one line per problem', async () => {
    const entry = await scenario('missing.ts', "import http from 'k6/http';\nimport { x } from './nope.ts';\nexport default () => http.get(x);\n");
    const err = (await bundleToString(entry).catch((e: unknown) => e)) as BundleError;
    expect(err).toBeInstanceOf(BundleError);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toMatch(/missing\.ts:2:\d+: error: Could not resolve "\.\/nope\.ts"/);
  });

  it('reports TypeScript syntax errors with file:line', async () => {
    const entry = await scenario('syntax.ts', 'export default function () {\n  let x: = 1;\n}\n');
    const err = (await bundleToString(entry).catch((e: unknown) => e)) as BundleError;
    expect(err.message).toMatch(/syntax\.ts:2:\d+: error:/);
  });
});

describe('bundle-checks itself', () => {
  it('flags what breaks D2', () => {
    const bad = "const fs = require('node:fs');\nexport const x = 1;\n";
    expect(bundleViolations(bad)).toEqual([
      'no default export',
      'no options export',
      'no inline source map',
      'contains require(',
      'contains a node: import',
    ]);
  });
});
