/**
 * k6/ws and k6/websockets on the `ws` package, run as real scripts through the loader and a real
 * VU against a WebSocket server on 127.0.0.1: ws.connect blocks until the socket closes, handlers
 * and socket timers run, k6's ws_* metrics carry url/status/subproto tags.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { harness } from '../vu/harness.ts';

let server: http.Server;
let wss: WebSocketServer;
let base = '';
let dir = '';
const seenHeaders: Record<string, string | undefined>[] = [];
let tcpConnections = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'k6-ws-'));
  server = http.createServer((_req, res) => res.writeHead(404).end('no'));
  wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('chat') ? 'chat' : false) });
  server.on('connection', () => tcpConnections++);
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/nope')) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    seenHeaders.push({ cookie: req.headers.cookie, x: req.headers['x-client'] as string | undefined });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => {
        const text = data.toString();
        if (!isBinary && text === 'bye') ws.close(4001, 'asked');
        else ws.send(isBinary ? data : `echo:${text}`, { binary: isBinary });
      });
      if (req.url?.startsWith('/greet')) ws.send('hello');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe('k6/ws', () => {
  it('connect blocks until close; handlers, send/sendBinary/ping, socket timers; ws_* metrics with tags', async () => {
    const h = await harness(
      script(
        'ws-basic.js',
        `import ws from 'k6/ws';
import http from 'k6/http';
import { check } from 'k6';
export default function () {
  http.cookieJar().set(__ENV.WS.replace('ws://', 'http://'), 'session', 'abc'); // the VU's jar goes on the handshake
  const got = [];
  const res = ws.connect(__ENV.WS + '/greet', { headers: { 'X-Client': 'k6' }, tags: { flow: 'a' } }, function (socket) {
    socket.on('open', () => {
      got.push('open');
      socket.send('one');
      socket.sendBinary(new Uint8Array([1, 2, 3]).buffer);
      socket.ping();
    });
    socket.on('message', (m) => got.push('msg:' + m));
    socket.on('binaryMessage', (b) => got.push('bin:' + new Uint8Array(b).join(',')));
    socket.on('pong', () => got.push('pong'));
    socket.setTimeout(() => socket.send('bye'), 150);
    socket.on('close', (code) => got.push('close:' + code));
  });
  got.push('after');
  console.log(JSON.stringify(got));
  check(res, { 'status is 101': (r) => r && r.status === 101 });
}`,
      ),
    );
    const vu = await h.vu(1, { WS: base });
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    const got = JSON.parse(h.rec.console[0] as string) as string[];
    expect(got[0]).toBe('open');
    expect(got).toEqual(expect.arrayContaining(['msg:hello', 'msg:echo:one', 'bin:1,2,3', 'pong']));
    expect(got.slice(-2)).toEqual(['close:4001', 'after']);
    expect(h.rec.of('checks').map((s) => s.value)).toEqual([1]);
    expect(seenHeaders.at(-1)).toEqual({ cookie: 'session=abc', x: 'k6' });
    const tags = { url: `${base}/greet`, status: '101', subproto: '', flow: 'a' };
    expect(h.rec.of('ws_sessions')).toHaveLength(1);
    expect(h.rec.of('ws_sessions')[0]?.tags).toMatchObject(tags);
    expect(h.rec.of('ws_connecting')[0]?.value).toBeGreaterThan(0);
    expect(h.rec.of('ws_msgs_sent')).toHaveLength(3); // one, binary, bye
    expect(h.rec.of('ws_msgs_received')).toHaveLength(3); // hello, echo:one, binary echo
    expect(h.rec.of('ws_ping')).toHaveLength(1);
    const dur = h.rec.of('ws_session_duration');
    expect(dur).toHaveLength(1);
    expect(dur[0]?.value).toBeGreaterThanOrEqual(140);
    expect(dur[0]?.tags).toMatchObject({ ...tags, scenario: 'default' });
    expect(h.rec.of('data_received')[0]?.value).toBeGreaterThan(0);
  });

  it('a handler that throws closes the socket and fails the iteration; a refused handshake throws with the status', async () => {
    const h = await harness(
      script(
        'ws-throw.js',
        `import ws from 'k6/ws';
export function thrower() {
  ws.connect(__ENV.WS + '/greet', (socket) => {
    socket.on('message', () => { throw new Error('handler broke'); });
  });
}
export function refused() {
  ws.connect(__ENV.WS + '/nope', {}, () => {});
}
export function interval() {
  let n = 0;
  ws.connect(__ENV.WS, (socket) => {
    socket.setInterval(() => { n++; if (n === 3) socket.close(); }, 20);
  });
  console.log('ticks ' + n);
}`,
      ),
    );
    const vu = await h.vu(1, { WS: base });
    expect(await h.iterate(vu, 1, { exec: 'thrower' })).toEqual(['completed']); // a thrown iteration still counts as completed (k6; issue 13)
    expect(h.rec.errors.join('\n')).toContain('handler broke');
    expect(await h.iterate(vu, 1, { exec: 'refused' })).toEqual(['completed']); // a thrown iteration still counts as completed (k6; issue 13)
    expect(h.rec.errors.join('\n')).toMatch(/websocket: bad handshake \(HTTP 403 from ws:\/\/127\.0\.0\.1:\d+\/nope\)/);
    expect(await h.iterate(vu, 1, { exec: 'interval' })).toEqual(['completed']);
    // close() at the third tick ends the session (connect returned); a tick more may land while the
    // close handshake is in flight on a loaded machine (k6's intervals also run until the socket is done)
    const ticks = h.rec.console.map((l) => /^ticks (\d+)$/.exec(l)?.[1]).find(Boolean);
    expect(Number(ticks)).toBeGreaterThanOrEqual(3);
  });
});

describe('blacklistIPs / blockHostnames hold for WebSockets', () => {
  it('a blocked IP, resolved name or hostname fails the connect before any dial', async () => {
    const h = await harness(
      script(
        'ws-blocked.js',
        `import ws from 'k6/ws';
import { WebSocket } from 'k6/websockets';
export function ip() { ws.connect(__ENV.WS, () => {}); }
export function name() { ws.connect(__ENV.WS.replace('127.0.0.1', 'localhost'), () => {}); }
export function host() { ws.connect('ws://chat.blocked.test/', () => {}); }
export function browser() {
  const s = new WebSocket(__ENV.WS);
  s.onerror = (e) => console.log('error: ' + e.error);
  s.onclose = () => console.log('closed ' + s.readyState);
}`,
      ),
    );
    const vu = await h.vu(1, { WS: base }, { blacklistIPs: ['127.0.0.0/8'], blockHostnames: ['*.blocked.test'] });
    const before = tcpConnections;
    expect(await h.iterate(vu, 1, { exec: 'ip' })).toEqual(['completed']); // a thrown iteration still counts as completed (k6; issue 13)
    expect(await h.iterate(vu, 1, { exec: 'name' })).toEqual(['completed']); // a thrown iteration still counts as completed (k6; issue 13)
    expect(await h.iterate(vu, 1, { exec: 'host' })).toEqual(['completed']); // a thrown iteration still counts as completed (k6; issue 13)
    expect(await h.iterate(vu, 1, { exec: 'browser' })).toEqual(['completed']);
    const errors = h.rec.errors.join('\n');
    expect(errors).toContain('IP (127.0.0.1) is in a blacklisted range (127.0.0.0/8)');
    expect(errors).toContain('hostname (chat.blocked.test) is in a blocked pattern (*.blocked.test)');
    expect(errors.match(/blacklisted range/g)).toHaveLength(2);
    expect(h.rec.console).toEqual(['error: IP (127.0.0.1) is in a blacklisted range (127.0.0.0/8)', 'closed 3']);
    expect(tcpConnections).toBe(before);
  });
});

describe('k6/websockets', () => {
  it('the browser-like WebSocket: listeners and on<event>, binaryType, readyState; the iteration waits for close', async () => {
    const h = await harness(
      script(
        'websockets.js',
        `import { WebSocket } from 'k6/websockets';
export default function () {
  const got = [];
  const ws = new WebSocket(__ENV.WS + '/greet', 'chat');
  got.push('state:' + ws.readyState);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => { got.push('open:' + ws.readyState + ':' + ws.protocol); ws.send('x'); ws.send(new Uint8Array([7, 8]).buffer); };
  ws.addEventListener('message', (e) => {
    got.push(typeof e.data === 'string' ? 'msg:' + e.data : 'bin:' + new Uint8Array(e.data).join(','));
    if (got.length === 5) ws.close();
  });
  ws.addEventListener('close', () => { got.push('closed:' + ws.readyState); console.log(JSON.stringify(got)); });
}`,
      ),
    );
    const vu = await h.vu(1, { WS: base });
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    const got = JSON.parse(h.rec.console[0] as string) as string[];
    expect(got.slice(0, 2)).toEqual(['state:0', 'open:1:chat']);
    expect(got).toEqual(expect.arrayContaining(['msg:hello', 'msg:echo:x', 'bin:7,8']));
    expect(got.at(-1)).toBe('closed:3');
    expect(h.rec.of('ws_sessions')[0]?.tags).toMatchObject({ subproto: 'chat', status: '101' });
    expect(h.rec.of('ws_msgs_sent')).toHaveLength(2);
    expect(h.rec.of('ws_session_duration')).toHaveLength(1);
  });

  it('an interrupt closes an open socket: the iteration ends', async () => {
    const h = await harness(
      script(
        'websockets-hang.js',
        `import { WebSocket } from 'k6/websockets';
export default function () {
  const ws = new WebSocket(__ENV.WS);
  ws.onopen = () => console.log('open');
}`,
      ),
    );
    const vu = await h.vu(1, { WS: base });
    const p = h.iterate(vu, 1);
    const t0 = Date.now();
    while (!h.rec.console.includes('open') && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    vu.interrupt('gracefulStop');
    expect(await p).toEqual(['interrupted']);
  });
});
