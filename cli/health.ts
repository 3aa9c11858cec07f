/**
 * `aetos-load health` / `npm run health`: the guide's test-system. Checks the deployment at
 * --url or BASE_URL (or the embedded target, started and stopped for the check), prints the
 * table on a terminal or one JSON object with --json, and exits 0 when the health score is
 * above 90 %, 1 when it is not, 2 when the target cannot be reached at all.
 */
import { parseArgs } from 'node:util';
import { ExitCode } from '../engine/errors.ts';
import { parseTimeout } from '../ops/shared/duration.ts';
import { checkTargetUrl, resolveTarget, type WatchedTarget } from '../ops/shared/target.ts';
import { colorWanted } from '../ops/shared/terminal.ts';
import { TargetUnreachable, runHealthCheck } from '../ops/health/index.ts';
import { renderHealth } from '../ops/health/render.ts';

export const EXIT_HEALTHY = 0;
export const EXIT_UNHEALTHY = 1;
export const EXIT_UNREACHABLE = 2;

const usage = `usage: aetos-load health [options]

Checks API, frontend, database, Redis, authentication, endpoints, response times, containers
and system resources; scores them; exit 0 when the score is above 90 %, 1 when not, 2 when the
target cannot be reached.

  --url URL            deployment to check (default: BASE_URL, else the embedded target)
  --json               print one JSON object {score, verdict, checks, …}
  --timeout DURATION   per-request timeout (default 10s)
  --database-url URL   also run SELECT 1 directly (default: DATABASE_URL)
  --redis-url URL      also run PING directly (default: REDIS_URL)
  --user NAME          test user for the login checks (default: HEALTH_USER or user0001)
  --sku SKU            an existing SKU for the item checks (default: SKU-000001)
  --no-color           no colours
Password: HEALTH_PASSWORD (default Passw0rd!).
`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        'database-url': { type: 'string' },
        'redis-url': { type: 'string' },
        user: { type: 'string' },
        sku: { type: 'string' },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`aetos-load health: ${(err as Error).message}\n`);
    return ExitCode.InvalidConfig;
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  let timeoutMs: number;
  try {
    timeoutMs = values.timeout ? parseTimeout(values.timeout, '--timeout') : 10_000;
    if (values.url !== undefined) checkTargetUrl(values.url, '--url');
    else if (process.env.BASE_URL) checkTargetUrl(process.env.BASE_URL, 'BASE_URL');
  } catch (err) {
    process.stderr.write(`aetos-load health: ${(err as Error).message}\n`);
    return ExitCode.InvalidConfig;
  }

  let target: WatchedTarget;
  try {
    target = await resolveTarget(values.url);
  } catch (err) {
    process.stderr.write(`aetos-load health: cannot start the embedded target: ${(err as Error).message.split('\n')[0]}\n`);
    return EXIT_UNREACHABLE;
  }
  try {
    const report = await runHealthCheck({
      url: target.url,
      embedded: target.embedded,
      timeoutMs,
      databaseUrl: values['database-url'],
      redisUrl: values['redis-url'],
      user: values.user,
      sku: values.sku,
    });
    if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
    else process.stdout.write(renderHealth(report, colorWanted(process.stdout, values['no-color'])));
    return report.verdict === 'healthy' ? EXIT_HEALTHY : EXIT_UNHEALTHY;
  } catch (err) {
    if (err instanceof TargetUnreachable) {
      process.stderr.write(`aetos-load health: ${err.message}\n`);
      if (values.json) process.stdout.write(JSON.stringify({ target: err.url, score: 0, verdict: 'unreachable', reason: err.detail, checks: [] }) + '\n');
      return EXIT_UNREACHABLE;
    }
    throw err;
  } finally {
    await target.stop();
  }
}
