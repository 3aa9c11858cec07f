/**
 * "Test email notifications": the alert webhook accepts a test message (a 2xx to a JSON POST
 * shaped like the monitor's alert events) and the SMTP server accepts a test e-mail for the
 * configured recipient (nodemailer; the password comes from the variable `passwordEnv` names).
 * Both are tried when both are configured; each must accept.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../config.ts';
import { probe } from '../../shared/http-probe.ts';
import { item, type PreflightItem } from '../types.ts';

export interface NotificationOptions {
  webhook?: string;
  smtp?: SmtpSettings;
  target: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

async function tryWebhook(url: string, target: string, id: string, timeoutMs: number): Promise<string | undefined> {
  const r = await probe(url, {
    method: 'POST',
    timeoutMs,
    body: { type: 'alert', state: 'test', rule: 'preflight', severity: 'warning', message: `aetos-load preflight test message for ${target} (${id}); no action needed`, at: new Date().toISOString() },
  });
  if (!r.reached) return `webhook ${url}: ${r.error}`;
  if (r.status < 200 || r.status >= 300) return `webhook ${url} answered HTTP ${r.status}`;
  return undefined;
}

async function trySmtp(s: SmtpSettings, target: string, id: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const pass = s.passwordEnv ? env[s.passwordEnv] : undefined;
  if (s.passwordEnv && !pass) return `SMTP: ${s.passwordEnv} (notifications.smtp.passwordEnv) is not set`;
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure ?? s.port === 465,
    auth: s.user ? { user: s.user, pass: pass ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: s.from,
      to: s.to,
      subject: `aetos-load preflight: test notification (${id})`,
      text: `A test message from aetos-load preflight for ${target}. If you read this, alert e-mails reach you; no action needed.`,
    });
    const accepted = info.accepted.map(String);
    if (!accepted.length) return `SMTP ${s.host}:${s.port} accepted no recipient (rejected: ${info.rejected.map(String).join(', ')})`;
    return undefined;
  } catch (err) {
    return `SMTP ${s.host}:${s.port}: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    transport.close();
  }
}

export async function notificationsItem(o: NotificationOptions): Promise<PreflightItem> {
  const name = 'Notifications';
  if (!o.webhook && !o.smtp) return item('notifications', name, 'not configured', 'no notifications.webhook or notifications.smtp in the config file (or --webhook)');
  const id = randomUUID().slice(0, 8);
  const [hook, mail] = await Promise.all([
    o.webhook ? tryWebhook(o.webhook, o.target, id, o.timeoutMs) : undefined,
    o.smtp ? trySmtp(o.smtp, o.target, id, o.timeoutMs, o.env ?? process.env) : undefined,
  ]);
  const problems = [hook, mail].filter((p): p is string => p !== undefined);
  if (problems.length) return item('notifications', name, 'fail', problems.join('; '));
  const ok = [o.webhook && 'webhook', o.smtp && `SMTP (${o.smtp.to})`].filter(Boolean).join(' and ');
  return item('notifications', name, 'pass', `test message ${id} accepted by ${ok}`);
}
