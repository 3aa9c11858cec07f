/**
 * k6's `blacklistIPs` (CIDR ranges) and `blockHostnames` (exact names or `*.suffix` patterns)
 * options: checked by the connector BEFORE a socket is opened (the hostname before DNS, the IP
 * after it), so a blocked request never reaches the network. Errors carry k6's codes (1111,
 * 1112) and messages.
 */
import dns from 'node:dns';
import net from 'node:net';

export class BlockedError extends Error {
  constructor(
    readonly code: 'AETOS_BLACKLISTED_IP' | 'AETOS_BLOCKED_HOSTNAME',
    message: string,
  ) {
    super(message);
  }
}

interface Range {
  text: string;
  list: net.BlockList;
}

export class ConnectBlocklist {
  private readonly ranges: Range[] = [];
  private readonly hostnames: string[] = [];

  constructor(blacklistIPs: unknown, blockHostnames: unknown) {
    for (const raw of listOf(blacklistIPs, 'blacklistIPs')) {
      const text = String(raw).trim();
      const [ip = '', bits] = text.split('/');
      const family = net.isIP(ip);
      const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
      if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32))
        throw new TypeError(`option blacklistIPs: "${text}" is not a CIDR range (e.g. "10.0.0.0/8")`);
      const list = new net.BlockList();
      list.addSubnet(ip, prefix, family === 6 ? 'ipv6' : 'ipv4');
      this.ranges.push({ text: bits === undefined ? `${ip}/${prefix}` : text, list });
    }
    for (const raw of listOf(blockHostnames, 'blockHostnames')) {
      const p = String(raw).trim().toLowerCase();
      if (!p || p.indexOf('*', 1) !== -1 || (p.startsWith('*') && !p.startsWith('*.') && p !== '*'))
        throw new TypeError(`option blockHostnames: "${String(raw)}" is not a hostname pattern ("example.com" or "*.example.com")`);
      this.hostnames.push(p);
    }
  }

  get empty(): boolean {
    return this.ranges.length === 0 && this.hostnames.length === 0;
  }

  /** The blocked-hostname error for `host`, or null. IP literals are checked by checkIp. */
  checkHostname(host: string): BlockedError | null {
    const h = host.toLowerCase().replace(/\.$/, '');
    for (const p of this.hostnames) {
      const hit = p === '*' || (p.startsWith('*.') ? h.endsWith(p.slice(1)) : h === p);
      if (hit) return new BlockedError('AETOS_BLOCKED_HOSTNAME', `hostname (${host}) is in a blocked pattern (${p})`);
    }
    return null;
  }

  checkIp(ip: string): BlockedError | null {
    const family = net.isIP(ip);
    if (!family) return null;
    for (const r of this.ranges) {
      if (r.list.check(ip, family === 6 ? 'ipv6' : 'ipv4')) return new BlockedError('AETOS_BLACKLISTED_IP', `IP (${ip}) is in a blacklisted range (${r.text})`);
    }
    return null;
  }
}

/** dns.lookup whose every answer is checked against blacklistIPs (the `lookup` hook of net.connect, http.request). */
export function blockingLookup(blocklist: ConnectBlocklist): typeof dns.lookup {
  return ((hostname: string, options: dns.LookupOptions, cb: (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    dns.lookup(hostname, options, (err, address, family) => {
      if (err) return cb(err, address, family);
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      for (const ip of all) {
        const blocked = blocklist.checkIp(ip);
        if (blocked) return cb(blocked, address, family);
      }
      cb(null, address, family);
    });
  }) as typeof dns.lookup;
}

/** The VU's blocklist from its options (k6 applies it to HTTP and WebSocket dials alike). */
export function blocklistOf(options: Readonly<Record<string, unknown>>): ConnectBlocklist {
  return new ConnectBlocklist(options.blacklistIPs, options.blockHostnames);
}

function listOf(v: unknown, name: string): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return v.split(',').filter((s) => s.trim() !== '');
  if (Array.isArray(v)) return v;
  throw new TypeError(`option ${name} must be a list of strings`);
}
