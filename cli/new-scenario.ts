/**
 * `aetos-load new-scenario <name>` (`npm run new:scenario -- <name>`): scaffolds scenarios/<name>.ts,
 * a plain k6 scenario using the shared lib (journey, profiles, thresholds), and adds a
 * thresholds.json entry for it, so the new file builds, type-checks and runs at once.
 * Refuses a bad name or an existing file with one line, exit 2.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const validName = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function scenarioSource(name: string): string {
  return `/**
 * ${name}: describe here what this scenario checks and which pass criteria (thresholds.json "${name}") judge it.
 */
import { check, group } from 'k6';
import type { Options } from 'k6/options';
import { think } from '../lib/journey.ts';
import { rampHoldStages } from '../lib/profiles.ts';
import { thresholdsFor } from '../lib/thresholds.ts';
import { getItem, listInventory, sku } from '../lib/wms.ts';

export const options: Options = {
  scenarios: {
    '${name}': { executor: 'ramping-vus', startVUs: 0, stages: rampHoldStages(10), gracefulRampDown: '10s' },
  },
  thresholds: thresholdsFor('${name}'),
};

export default function (): void {
  group('browse inventory', () => {
    check(listInventory(1), { 'inventory page is 200': (r) => r.status === 200 });
  });
  think(1, 2);
  group('look up a SKU', () => {
    check(getItem(sku(1 + Math.floor(Math.random() * 2000))), { 'SKU found': (r) => r.status === 200 });
  });
  think(1, 2);
}
`;
}

export interface ScaffoldPaths {
  scenariosDir: string;
  thresholdsFile: string;
}

/** Writes the scenario and its thresholds entry; returns the file written or throws a one-line Error. */
export async function scaffold(name: string, paths: ScaffoldPaths = { scenariosDir: 'scenarios', thresholdsFile: 'thresholds.json' }): Promise<string> {
  if (!validName.test(name)) throw new Error(`new-scenario: bad name "${name}": use lower-case letters, digits and single dashes, starting with a letter (e.g. "night-shift")`);
  const file = path.join(paths.scenariosDir, `${name}.ts`);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists) throw new Error(`new-scenario: ${file} already exists; pick another name or edit it`);
  const criteria = JSON.parse(await readFile(paths.thresholdsFile, 'utf8')) as Record<string, unknown>;
  if (!(name in criteria)) {
    criteria[name] = { http_req_failed: ['rate<0.01'] };
    await writeFile(paths.thresholdsFile, `${JSON.stringify(criteria, null, 2)}\n`);
  }
  await writeFile(file, scenarioSource(name), { flag: 'wx' });
  return file;
}

export async function main(argv: string[]): Promise<number> {
  const names = argv.filter((a) => a !== '--');
  if (names.length !== 1) {
    process.stderr.write('usage: npm run new:scenario -- <name>   (e.g. npm run new:scenario -- night-shift)\n');
    return 2;
  }
  const name = names[0] as string;
  try {
    const file = await scaffold(name);
    process.stdout.write(`created ${file} and a "${name}" entry in thresholds.json; run it with: node bin/aetos-load.js load ${name} --profile quick\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
}
