// The notifications item against real local receivers: an SMTP server (smtp-server) that keeps
// what it receives, one that refuses the recipient, and an HTTP webhook.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { notificationsItem } from '../../../ops/preflight/items/notifications.ts';
import { closedPort } from '../fixtures/contract-server.ts';

const mails: { to: string[]; body: string; user?: string }[] = [];
const hooks: unknown[] = [];
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

async function smtp(refuse = false): Promise<number> {
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onAuth(auth, _s, cb) {
      if (auth.username === 'alerts' && auth.password === 's3cret') cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onRcptTo(addr, _s, cb) {
      if (refuse) return cb(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      let body = '';
      stream.on('data', (d) => (body += d));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body, user: session.user as string | undefined });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.server.address() as AddressInfo).port;
}

async function webhook(status: number): Promise<string> {
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      hooks.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => s.close(r)));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
}

const mailTo = (port: number, extra = {}) => ({ host: '127.0.0.1', port, from: 'aetos@test.local', to: 'ops@test.local', ...extra });

describe('preflight notifications item', () => {
  it('passes when the SMTP server accepts the test e-mail (with login) and the webhook answers 2xx', async () => {
    const port = await smtp();
    const hook = await webhook(204);
    const r = await notificationsItem({ webhook: hook, smtp: mailTo(port, { user: 'alerts', passwordEnv: 'SMTP_TEST_PASSWORD' }), target: 'http://127.0.0.1:1', timeoutMs: 5000, env: { SMTP_TEST_PASSWORD: 's3cret' } });
    expect(r.status, r.reason).toBe('pass');
    expect(r.reason).toMatch(/accepted by webhook and SMTP \(ops@test\.local\)/);
    const mail = mails.at(-1);
    expect(mail?.to).toEqual(['ops@test.local']);
    expect(mail?.user).toBe('alerts');
    expect(mail?.body).toContain('Subject: aetos-load preflight: test notification');
    expect(hooks.at(-1)).toMatchObject({ type: 'alert', state: 'test', rule: 'preflight' });
  });

  it('fails naming each receiver that refused: a 500 webhook and a refused recipient', async () => {
    const r = await notificationsItem({ webhook: await webhook(500), smtp: mailTo(await smtp(true)), target: 'x', timeoutMs: 5000 });
    expect(r.status).toBe('fail');
    expect(r.reason).toMatch(/webhook http:\/\/127\.0\.0\.1:\d+\/hook answered HTTP 500/);
    expect(r.reason).toMatch(/SMTP 127\.0\.0\.1:\d+: .*550/);
  });

  it('fails on a closed SMTP port and on a password variable that is not set', async () => {
    const closed = await notificationsItem({ smtp: mailTo(await closedPort()), target: 'x', timeoutMs: 3000 });
    expect(closed.status).toBe('fail');
    expect(closed.reason).toContain('ECONNREFUSED');
    const unset = await notificationsItem({ smtp: mailTo(await smtp(), { user: 'alerts', passwordEnv: 'NOT_SET_ANYWHERE' }), target: 'x', timeoutMs: 3000, env: {} });
    expect(unset.reason).toContain('NOT_SET_ANYWHERE (notifications.smtp.passwordEnv) is not set');
  });

  it('is not configured with neither', async () => {
    expect((await notificationsItem({ target: 'x', timeoutMs: 1000 })).status).toBe('not configured');
  });
});
