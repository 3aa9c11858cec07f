/** Runs a configured shell command (the logging and backups items) with a deadline; never throws. */
import { exec } from 'node:child_process';

export interface ShellResult {
  ok: boolean;
  stdout: string;
  /** One line: the exit code and stderr's first line, or the timeout. */
  error?: string;
}

export function runShell(command: string, timeoutMs: number): Promise<ShellResult> {
  return new Promise((resolve) => {
    exec(command, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout });
      const e = err as Error & { killed?: boolean; code?: number };
      const why = e.killed ? `timed out after ${timeoutMs} ms` : `exit ${e.code}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`;
      resolve({ ok: false, stdout, error: `"${command}" failed: ${why}` });
    });
  });
}
