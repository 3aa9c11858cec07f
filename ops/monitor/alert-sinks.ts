/**
 * Where alert events go besides the screen: appended as JSON lines to a file (created with its
 * folder), and POSTed as JSON to an optional webhook. Neither may stop the monitor: failures
 * are reported once each through `warn`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { probe } from '../shared/http-probe.ts';
import type { AlertEvent } from './rules.ts';

export class AlertSinks {
  private warned = new Set<string>();
  private dirReady?: Promise<unknown>;
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly file: string | undefined,
    private readonly webhook: string | undefined,
    private readonly warn: (message: string) => void,
  ) {}

  private once(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(message);
  }

  send(event: AlertEvent): void {
    const p = this.deliver(event).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async deliver(event: AlertEvent): Promise<void> {
    const line = JSON.stringify(event) + '\n';
    await Promise.all([
      this.file
        ? (async () => {
            this.dirReady ??= mkdir(path.dirname(this.file!), { recursive: true });
            await this.dirReady;
            await appendFile(this.file!, line);
          })().catch((e: Error) => this.once('file', `monitor: cannot append alerts to ${this.file}: ${e.message}`))
        : undefined,
      this.webhook
        ? probe(this.webhook, { method: 'POST', body: event, timeoutMs: 5000 }).then((r) => {
            if (!r.reached || r.status >= 300) this.once(`hook${r.status}`, `monitor: webhook ${this.webhook} failed: ${r.reached ? `HTTP ${r.status}` : r.error}`);
          })
        : undefined,
    ]);
  }

  /** Waits for every delivery in flight. */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
