/**
 * "Verify environment variables": every name in `requiredEnv` is set and not empty — in this
 * process's environment, or in the deployment's dotenv file (`envFile`) when one is configured.
 * Values are never printed: only the names that are missing.
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { item, type PreflightItem } from '../types.ts';

export function envItem(required: string[] | undefined, envFile: string | undefined, env: NodeJS.ProcessEnv = process.env): PreflightItem {
  const name = 'Environment variables';
  if (!required?.length) return item('env', name, 'not configured', 'no requiredEnv list in the config file');
  let fromFile: Record<string, string | undefined> = {};
  if (envFile) {
    try {
      fromFile = parseEnv(readFileSync(envFile, 'utf8'));
    } catch (err) {
      return item('env', name, 'fail', `cannot read envFile ${envFile}: ${(err as Error).message}`);
    }
  }
  const missing = required.filter((n) => !(env[n] ?? fromFile[n]));
  if (missing.length) return item('env', name, 'fail', `${missing.length} of ${required.length} not set or empty: ${missing.join(', ')}`, { missing: missing.length });
  return item('env', name, 'pass', `all ${required.length} set${envFile ? ` (environment or ${envFile})` : ''}`, { missing: 0 });
}
