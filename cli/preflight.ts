/**
 * `aetos-load preflight`: the guide's pre-production checklist as one command. Checks the
 * deployment at --url or BASE_URL (or the embedded target, started and stopped for the check)
 * with the settings of aetos.config.json (--config FILE), prints the table on a terminal or one
 * JSON object with --json, and exits 0 when no item failed, 1 when one did.
 */
import { parseArgs } from 'node:util';
import { ExitCode } from '../engine/errors.ts';
import { parseDuration, parseTimeout } from '../ops/shared/duration.ts';
import { checkTargetUrl, resolveTarget, type WatchedTarget } from '../ops/shared/target.ts';
import { colorWanted } from '../ops/shared/terminal.ts';
import { loadPreflightConfig, runPreflight, type PreflightOptions } from '../ops/preflight/index.ts';
import { renderPreflight } from '../ops/preflight/render.ts';

export const preflightOptions = {
  config: { type: 'string' },
  'cert-days': { type: 'string' },
  'backup-age': { type: 'string' },
  'database-url': { type: 'string' },
  webhook: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export const preflightUsage = `  --config FILE        deployment settings (default ./aetos.config.json when it exists)
  --cert-days N        warn when the TLS certificate expires within N days (default 30)
  --backup-age D       the newest backup must be younger than D (default 24h)
  --database-url URL   restore the newest pg_dump backup into a scratch database on this server
                       (default: DATABASE_URL; none: the backup's age only)
  --webhook URL        the alert webhook to send a test message to (default: the config's)
  --timeout DURATION   per-request timeout (default 10s)`;

const usage = `usage: aetos-load preflight [options]

The pre-production checklist: health score > 90 %, TLS certificate, required environment
variables, upload limits, logging, backups, notifications, resources. Each item pass, warn,
fail or not configured; exit 0 when none failed, 1 when one did.

  --url URL            deployment to check (default: BASE_URL, else the embedded target)
${preflightUsage}
  --json               print one JSON object {verdict, items, …}
  --no-color           no colours
`;

/** The flags both preflight and readiness take, checked; throws one line naming the flag. */
export function preflightSettings(values: { [K in keyof typeof preflightOptions]?: string }, env: NodeJS.ProcessEnv = process.env): Omit<PreflightOptions, 'url' | 'embedded'> {
  const certDays = values['cert-days'] !== undefined ? Number(values['cert-days']) : 30;
  if (!Number.isInteger(certDays) || certDays < 0) throw new Error(`--cert-days: "${values['cert-days']}" must be a whole number of days`);
  const backupAge = values['backup-age'] ?? '24h';
  const backupAgeMs = /^\d+(\.\d+)?d$/.test(backupAge) ? Number(backupAge.slice(0, -1)) * 86_400_000 : parseDuration(backupAge, '--backup-age');
  if (!(backupAgeMs > 0)) throw new Error(`--backup-age: "${backupAge}" must be more than 0`);
  const timeoutMs = values.timeout ? parseTimeout(values.timeout, '--timeout') : 10_000;
  if (values.webhook !== undefined) checkTargetUrl(values.webhook, '--webhook');
  const { file, config } = loadPreflightConfig(values.config);
  return { config, configFile: file, certDays, backupAgeMs, timeoutMs, databaseUrl: values['database-url'] ?? (env.DATABASE_URL || undefined), webhook: values.webhook };
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        ...preflightOptions,
        json: { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`aetos-load preflight: ${(err as Error).message}\n`);
    return ExitCode.InvalidConfig;
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  let settings: ReturnType<typeof preflightSettings>;
  try {
    if (values.url !== undefined) checkTargetUrl(values.url, '--url');
    else if (process.env.BASE_URL) checkTargetUrl(process.env.BASE_URL, 'BASE_URL');
    settings = preflightSettings(values);
  } catch (err) {
    process.stderr.write(`aetos-load preflight: ${(err as Error).message}\n`);
    return ExitCode.InvalidConfig;
  }

  let target: WatchedTarget;
  try {
    target = await resolveTarget(values.url);
  } catch (err) {
    process.stderr.write(`aetos-load preflight: cannot start the embedded target: ${(err as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  try {
    const report = await runPreflight({ ...settings, url: target.url, embedded: target.embedded });
    if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
    else process.stdout.write(renderPreflight(report, colorWanted(process.stdout, values['no-color'])));
    return report.verdict === 'pass' ? 0 : 1;
  } finally {
    await target.stop();
  }
}
