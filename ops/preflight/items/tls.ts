/**
 * "Test SSL certificates": for an https BASE_URL, one TLS handshake judged on what a browser
 * judges — the chain verifies (against the system's CAs, plus `tls.caFile` when configured), the
 * certificate names the host, it is not expiring within --cert-days, and the protocol is TLS 1.2
 * or newer. An http URL has nothing to check: `not configured`.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { item, type PreflightItem } from '../types.ts';

export interface TlsOptions {
  url: string;
  /** Warn when the certificate expires within this many days. */
  certDays: number;
  caFile?: string;
  timeoutMs: number;
  now?: Date;
}

interface Handshake {
  authorized: boolean;
  authorizationError?: string;
  protocol: string | null;
  cert: tls.PeerCertificate;
}

function handshake(host: string, port: number, ca: string | undefined, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      // judged below, so an untrusted chain is reported instead of refused
      rejectUnauthorized: false,
      ca: ca ? [...tls.rootCertificates, ca] : undefined,
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      const out = { authorized: socket.authorized, authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined, protocol: socket.getProtocol(), cert: socket.getPeerCertificate() };
      socket.end();
      resolve(out);
    });
    socket.once('timeout', () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once('error', reject);
  });
}

const protocolRank: Record<string, number> = { SSLv3: 0, TLSv1: 1, 'TLSv1.1': 2, 'TLSv1.2': 3, 'TLSv1.3': 4 };

export async function tlsItem(o: TlsOptions): Promise<PreflightItem> {
  const name = 'TLS certificate';
  const u = new URL(o.url);
  if (u.protocol !== 'https:') return item('tls', name, 'not configured', `${u.protocol.slice(0, -1)} URL: no TLS to check`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 443);
  let ca: string | undefined;
  try {
    ca = o.caFile ? readFileSync(o.caFile, 'utf8') : undefined;
  } catch (err) {
    return item('tls', name, 'fail', `cannot read tls.caFile ${o.caFile}: ${(err as Error).message}`);
  }
  let h: Handshake;
  try {
    h = await handshake(host, port, ca, o.timeoutMs);
  } catch (err) {
    return item('tls', name, 'fail', `TLS handshake with ${host}:${port} failed: ${(err as Error).message}`);
  }
  const now = o.now ?? new Date();
  const expires = new Date(h.cert.valid_to);
  const daysLeft = Math.floor((expires.getTime() - now.getTime()) / 86_400_000);
  const measured = { daysLeft, protocol: h.protocol ?? 'unknown', expires: expires.toISOString() };
  // Node folds a name mismatch into authorizationError: judge the name first to say which it is
  const nameError = tls.checkServerIdentity(host, h.cert);
  if (nameError) return item('tls', name, 'fail', `the certificate does not name ${host}: ${nameError.message}`, measured);
  if (!h.authorized) return item('tls', name, 'fail', `the certificate chain does not verify: ${h.authorizationError ?? 'untrusted'}`, measured);
  if ((protocolRank[h.protocol ?? ''] ?? 0) < protocolRank['TLSv1.2']!) return item('tls', name, 'fail', `negotiated ${h.protocol}: TLS 1.2 or newer is required`, measured);
  if (daysLeft < 0) return item('tls', name, 'fail', `the certificate expired on ${expires.toISOString().slice(0, 10)}`, measured);
  if (daysLeft < o.certDays) return item('tls', name, 'warn', `the certificate expires in ${daysLeft} days (${expires.toISOString().slice(0, 10)}), within --cert-days ${o.certDays}`, measured);
  return item('tls', name, 'pass', `chain verifies, names ${host}, ${h.protocol}, expires in ${daysLeft} days`, measured);
}
