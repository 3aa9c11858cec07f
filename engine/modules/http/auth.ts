/**
 * `auth: 'digest'` and `auth: 'ntlm'` (credentials from the URL's user:pass, as k6): the
 * Authorization header that answers a 401 challenge. Digest (RFC 7616: MD5, MD5-sess, SHA-256,
 * qop auth or none) is computed here, it is a few hashes; NTLM messages (negotiate, NTLMv2
 * authenticate) come from the httpntlm package. NTLM is connection-bound: the VU's next request
 * to the same origin reuses its idle socket, so the handshake stays on one connection.
 */
import { lazyRequire, nodeCrypto } from '../../lazy-require.ts';

interface NtlmLib {
  createType1Message(o: { domain?: string; workstation?: string }): string;
  parseType2Message(raw: string, cb: (err: Error) => void): object | null;
  createType3Message(msg2: object, o: { username: string; password: string; domain?: string; workstation?: string }): string;
}
const ntlmLib = lazyRequire<NtlmLib>('httpntlm/ntlm.js');

export interface Credentials {
  user: string;
  password: string;
}

/** user:pass from the URL's base64 `auth` field. */
export function credentialsOf(basic: string): Credentials {
  const text = Buffer.from(basic, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? { user: text, password: '' } : { user: text.slice(0, i), password: text.slice(i + 1) };
}

/** Parses `Digest realm="x", nonce="y", qop="auth"` into lower-cased keys. */
export function parseChallenge(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  return out;
}

const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/** The Digest Authorization header for a challenge, or null when no Digest challenge is offered. */
export function digestAuthorization(challenges: string[], method: string, uri: string, cred: Credentials, cnonce = nodeCrypto().randomBytes(8).toString('hex')): string | null {
  const header = challenges.find((c) => /^\s*digest\s/i.test(c));
  if (!header) return null;
  const c = parseChallenge(header.replace(/^\s*digest\s+/i, ''));
  const algorithm = (c.algorithm ?? 'MD5').toUpperCase();
  const hashName = algorithm.startsWith('SHA-256') ? 'sha256' : algorithm.startsWith('MD5') ? 'md5' : null;
  if (!hashName) return null;
  const H = (s: string) => nodeCrypto().createHash(hashName).update(s).digest('hex');
  const realm = c.realm ?? '';
  const nonce = c.nonce ?? '';
  const qops = (c.qop ?? '').split(',').map((q) => q.trim());
  const qop = qops.includes('auth') ? 'auth' : '';
  const nc = '00000001';
  let ha1 = H(`${cred.user}:${realm}:${cred.password}`);
  if (algorithm.endsWith('-SESS')) ha1 = H(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = H(`${method}:${uri}`);
  const response = qop ? H(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${nonce}:${ha2}`);
  const parts = [`username=${quote(cred.user)}`, `realm=${quote(realm)}`, `nonce=${quote(nonce)}`, `uri=${quote(uri)}`, `algorithm=${c.algorithm ?? 'MD5'}`];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  parts.push(`response=${quote(response)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

/** "DOMAIN\user" → domain and user, as Windows accounts are written. */
function ntlmAccount(cred: Credentials): { username: string; domain: string; password: string } {
  const i = cred.user.indexOf('\\');
  return i < 0 ? { username: cred.user, domain: '', password: cred.password } : { username: cred.user.slice(i + 1), domain: cred.user.slice(0, i), password: cred.password };
}

/**
 * The next NTLM Authorization header: the negotiate message when the server only says `NTLM`,
 * the authenticate message when it sends its challenge; null when it offers no NTLM.
 */
export function ntlmAuthorization(challenges: string[], cred: Credentials): string | null {
  const header = challenges.map((c) => c.trim()).find((c) => /^ntlm(\s|$)/i.test(c));
  if (!header) return null;
  const acct = ntlmAccount(cred);
  if (/^ntlm$/i.test(header)) return ntlmLib().createType1Message({ domain: acct.domain, workstation: '' });
  let failure: Error | null = null;
  const msg2 = ntlmLib().parseType2Message(header.replace(/^ntlm/i, 'NTLM'), (e) => (failure = e));
  if (!msg2) throw new Error(`NTLM: ${(failure as Error | null)?.message ?? 'bad challenge from the server'}`);
  return ntlmLib().createType3Message(msg2, { ...acct, workstation: '' });
}
