/**
 * k6's error-code table for HTTP requests (k6 docs, "Error codes"), and the mapping from the
 * errors Node/undici raise to those codes and to k6-like messages. One place, so the response
 * fields `error`/`error_code` and the `error`/`error_code` metric tags always agree.
 */

export const ErrorCode = {
  Generic: 1000,
  NonTcpNetwork: 1010,
  InvalidUrl: 1020,
  RequestTimeout: 1050,
  DnsGeneric: 1100,
  DnsNoIp: 1101,
  BlacklistedIp: 1111,
  BlockedHostname: 1112,
  TcpGeneric: 1200,
  TcpBrokenPipe: 1201,
  TcpUnknownWrite: 1202,
  TcpDialGeneric: 1210,
  TcpDialTimeout: 1211,
  TcpDialRefused: 1212,
  TcpDialUnknown: 1213,
  TcpResetByPeer: 1220,
  TlsGeneric: 1300,
  TlsUnknownAuthority: 1310,
  TlsHostnameMismatch: 1311,
  HttpGeneric: 1600,
} as const;

/** k6: a response with status ≥ 400 carries error_code 1000 + status (1404, 1503, …). */
export function statusErrorCode(status: number): number {
  return status >= 400 && status < 600 ? 1000 + status : 0;
}

export interface ClassifiedError {
  code: number;
  message: string;
}

/** The request timed out (k6's `timeout` param): code 1050. */
export class RequestTimeoutError extends Error {
  readonly code = 'AETOS_REQUEST_TIMEOUT';
  constructor() {
    super('request timeout');
  }
}

/** A bad URL or request shape found before anything was sent: code 1020. */
export class InvalidUrlError extends Error {
  readonly code = 'AETOS_INVALID_URL';
}

interface NodeishError extends Error {
  code?: string;
  cause?: unknown;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/** Finds the innermost error with a system `code` (undici wraps socket errors). */
function rootCause(err: NodeishError): NodeishError {
  let e: NodeishError = err;
  for (let i = 0; i < 4 && e.cause instanceof Error; i++) e = e.cause as NodeishError;
  return e.code ? e : err;
}

/**
 * Maps a transport error to k6's code and message. `target` is "host:port" of the request,
 * used in k6-style dial messages ("dial tcp 127.0.0.1:1: connect: connection refused").
 */
export function classifyError(err: unknown, target: string): ClassifiedError {
  if (!(err instanceof Error)) return { code: ErrorCode.Generic, message: String(err) };
  const e = rootCause(err as NodeishError);
  const code = e.code ?? (err as NodeishError).code ?? '';
  switch (code) {
    case 'AETOS_REQUEST_TIMEOUT':
      return { code: ErrorCode.RequestTimeout, message: 'request timeout' };
    case 'AETOS_INVALID_URL':
    case 'ERR_INVALID_URL':
    case 'UND_ERR_INVALID_ARG':
      return { code: ErrorCode.InvalidUrl, message: e.message };
    case 'AETOS_BLACKLISTED_IP':
      return { code: ErrorCode.BlacklistedIp, message: e.message };
    case 'AETOS_BLOCKED_HOSTNAME':
      return { code: ErrorCode.BlockedHostname, message: e.message };
    case 'ECONNREFUSED':
      return { code: ErrorCode.TcpDialRefused, message: `dial tcp ${target}: connect: connection refused` };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { code: ErrorCode.TcpDialTimeout, message: `dial tcp ${target}: i/o timeout` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return { code: ErrorCode.TcpDialUnknown, message: `dial tcp ${target}: connect: ${e.message}` };
    case 'ECONNRESET':
      return { code: ErrorCode.TcpResetByPeer, message: `read tcp ${target}: read: connection reset by peer` };
    case 'EPIPE':
      return { code: ErrorCode.TcpBrokenPipe, message: `write tcp ${target}: write: broken pipe` };
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
    case 'AETOS_SOCKET_CLOSED':
      return { code: ErrorCode.TcpGeneric, message: `${e.message} (${target})` };
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return { code: ErrorCode.DnsNoIp, message: `lookup ${e.hostname ?? target}: no such host` };
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return { code: ErrorCode.DnsGeneric, message: `lookup ${e.hostname ?? target}: ${e.message}` };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
      return { code: ErrorCode.TlsUnknownAuthority, message: `x509: certificate signed by unknown authority (${e.message})` };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { code: ErrorCode.TlsHostnameMismatch, message: `x509: certificate is not valid for this host (${e.message})` };
    default:
      if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.startsWith('CERT_'))
        return { code: ErrorCode.TlsGeneric, message: `tls: ${e.message}` };
      if (code.startsWith('UND_ERR') || code === 'AETOS_HTTP_PARSE') return { code: ErrorCode.Generic, message: e.message };
      return { code: ErrorCode.Generic, message: e.message || String(e) };
  }
}
