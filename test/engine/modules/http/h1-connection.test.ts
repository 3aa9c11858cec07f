/**
 * The plain-HTTP/1.1 connection (engine/modules/http/h1-connection.ts): the request bytes are
 * undici's, byte for byte; every framing a response can have is parsed whole however the bytes
 * are split; a broken response fails its request and closes the socket; a request that met a
 * server closing its idle connection is sent again only when it can be replayed.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import type { Client as UndiciClient, Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { timedConnector, type Connector } from '../../../../engine/modules/http/connector.ts';
import { classifyError } from '../../../../engine/modules/http/error-codes.ts';
import { Exchange } from '../../../../engine/modules/http/exchange.ts';
import { H1Connection } from '../../../../engine/modules/http/h1-connection.ts';

const Client = createRequire(import.meta.url)('undici/lib/dispatcher/client.js') as typeof UndiciClient;

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A raw TCP server on 127.0.0.1; `onConn` gets each socket. */
async function rawServer(onConn: (s: net.Socket, index: number) => void): Promise<{ port: number; origin: string }> {
  let n = 0;
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    onConn(s, n++);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { port, origin: `http://127.0.0.1:${port}` };
}

function run(dispatch: (ex: Exchange) => void, keepBody = true): Promise<Exchange> {
  return new Promise((resolve) => {
    const ex = new Exchange(keepBody);
    ex.done = () => resolve(ex);
    dispatch(ex);
  });
}

const body = (ex: Exchange) => Buffer.concat(ex.chunks ?? []).toString();
const h1For = (origin: string, connect: Connector = timedConnector({})) => {
  const u = new URL(origin);
  return new H1Connection({ host: u.host, hostname: u.hostname, port: u.port }, connect);
};

describe('what goes on the wire', () => {
  const requests: [string, Partial<Dispatcher.DispatchOptions>][] = [
    ['GET with headers', { method: 'GET', path: '/a?b=1', headers: ['user-agent', 'k6/1.0', 'X-Many', 'a, b', 'accept', '*/*'] }],
    ['HEAD', { method: 'HEAD', path: '/' }],
    ['POST with a string body (UTF-8)', { method: 'POST', path: '/p', headers: ['content-type', 'text/plain'], body: 'héllo' as unknown as Buffer }],
    ['POST without a body', { method: 'POST', path: '/p' }],
    ['GET with an empty body', { method: 'GET', path: '/', body: '' as unknown as Buffer }],
    ['PUT with a list of buffers and its content-length', { method: 'PUT', path: '/u', headers: ['content-length', '6'], body: [Buffer.from('abc'), Buffer.from('def')] as unknown as Buffer }],
    ['the caller names the host and asks to close', { method: 'GET', path: '/', headers: ['Host', 'example.test', 'Connection', 'close'] }],
    ['noConnectionReuse (reset)', { method: 'DELETE', path: '/d', reset: true }],
  ];
  it.each(requests)('%s: the same bytes as undici', async (_name, opts) => {
    const seen: Buffer[][] = [];
    const { origin } = await rawServer((s, i) => {
      seen[i] = [];
      s.on('data', (d: Buffer) => {
        seen[i]!.push(d);
        s.end('HTTP/1.1 204 No Content\r\n\r\n');
      });
    });
    const undici = new Client(origin, { connect: timedConnector({}), pipelining: 2 });
    const a = await run((ex) => undici.dispatch({ ...opts, origin } as Dispatcher.DispatchOptions, ex as unknown as Dispatcher.DispatchHandler));
    await undici.destroy();
    const h1 = h1For(origin);
    const b = await run((ex) => h1.dispatch({ ...opts, origin } as Dispatcher.DispatchOptions, ex));
    await h1.destroy();
    expect(a.error).toBeNull();
    expect(b.error).toBeNull();
    const [fromUndici, fromH1] = seen.map((chunks) => Buffer.concat(chunks).toString('latin1'));
    expect(fromH1).toBe(fromUndici);
    expect(b.headerBytes).toBe(a.headerBytes);
  });

  it('a kept-alive connection writes each request as a fresh connection would, however its requests alternate', async () => {
    const heads: string[] = [];
    const { origin } = await rawServer((s) => {
      let buffered = '';
      s.on('data', (d: Buffer) => {
        buffered += d.toString('latin1');
        for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
          const head = buffered.slice(0, end + 4);
          const length = Number(/content-length: (\d+)/.exec(head)?.[1] ?? 0);
          if (buffered.length < end + 4 + length) break; // the body is still on its way
          heads.push(head);
          buffered = buffered.slice(end + 4 + length);
          s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        }
      });
    });
    const shared = ['accept', '*/*'];
    // the same request again (the reused head), then each thing a head is built from changed once
    const sequence: Partial<Dispatcher.DispatchOptions>[] = [
      { method: 'GET', path: '/a', headers: shared },
      { method: 'GET', path: '/a', headers: shared },
      { method: 'GET', path: '/b', headers: shared },
      { method: 'DELETE', path: '/b', headers: shared },
      { method: 'GET', path: '/b', headers: ['accept', 'text/html'] },
      { method: 'POST', path: '/b', headers: shared },
      { method: 'POST', path: '/b', headers: shared, body: 'x=1' as unknown as Buffer },
      { method: 'GET', path: '/a', headers: shared },
      { method: 'GET', path: '/a', headers: shared, reset: true },
    ];
    const fresh: { head: string; headerBytes: number }[] = [];
    for (const opts of sequence) {
      const h1 = h1For(origin);
      const ex = await run((e) => h1.dispatch({ ...opts, origin } as Dispatcher.DispatchOptions, e));
      await h1.destroy();
      expect(ex.error).toBeNull();
      fresh.push({ head: heads.at(-1)!, headerBytes: ex.headerBytes });
    }
    heads.length = 0;
    const h1 = h1For(origin);
    const kept: { head: string; headerBytes: number }[] = [];
    for (const opts of sequence) {
      const ex = await run((e) => h1.dispatch({ ...opts, origin } as Dispatcher.DispatchOptions, e));
      expect(ex.error).toBeNull();
      expect(ex.status).toBe(200);
      kept.push({ head: heads.at(-1)!, headerBytes: ex.headerBytes });
    }
    await h1.destroy();
    expect(kept).toEqual(fresh);
    expect(new Set(kept.map((k) => k.head)).size).toBe(7); // every change reached the wire (two pairs repeat a head)
  });

  it('refuses what undici refuses, before writing anything: code 1020', async () => {
    let connections = 0;
    const { origin } = await rawServer(() => connections++);
    for (const headers of [['transfer-encoding', 'chunked'], ['expect', '100-continue'], ['bad name', 'x'], ['x', 'a\r\nb'], ['host', 'a', 'Host', 'b']]) {
      const h1 = h1For(origin);
      const ex = await run((e) => h1.dispatch({ origin, method: 'GET', path: '/', headers }, e));
      await h1.destroy();
      expect(ex.error, headers.join(' ')).not.toBeNull();
      expect(classifyError(ex.error, '127.0.0.1').code).toBe(1020);
      expect(ex.tSend).toBe(0); // never written
    }
    expect(connections).toBeLessThanOrEqual(5);
  });
});

/** A fake socket the test feeds byte for byte (the connector hands it to the connection). */
class FakeSocket extends Duplex {
  written: Buffer[] = [];
  _read(): void {}
  _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written.push(chunk);
    cb();
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** Sends one request, as the client does (reset: false), through a connection whose socket receives `parts` one by one. */
async function parse(parts: Buffer[], method = 'GET'): Promise<{ ex: Exchange; sock: FakeSocket }> {
  const sock = new FakeSocket();
  const connect: Connector = (_o, cb) => {
    queueMicrotask(() => cb(null, sock as unknown as net.Socket));
    return sock as never;
  };
  const h1 = h1For('http://fake.test', connect);
  const done = run((ex) => h1.dispatch({ origin: 'http://fake.test', method, path: '/', reset: false }, ex));
  await new Promise((r) => setImmediate(r));
  for (const p of parts) sock.push(p);
  const ex = await Promise.race([done, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('the response never ended')), 2000))]);
  return { ex, sock };
}

/** Every way to cut `wire` in two, and byte by byte. */
function splits(wire: string): Buffer[][] {
  const b = Buffer.from(wire);
  const out: Buffer[][] = [[b], [...b].map((c) => Buffer.from([c]))];
  for (let i = 1; i < b.length; i++) out.push([b.subarray(0, i), b.subarray(i)]);
  return out;
}

describe('what is read', () => {
  const cases: [string, string, { status: number; body: string; headers?: string[]; closes: boolean; method?: string }][] = [
    ['Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  spaced \r\n\r\nhello', { status: 200, body: 'hello', headers: ['Content-Length', '5', 'X-A', 'spaced'], closes: false }],
    [
      'chunked with an extension and trailers',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n',
      { status: 200, body: 'hello world', closes: false },
    ],
    ['a 100 Continue before the answer', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok', { status: 201, body: 'ok', closes: false }],
    ['204 without a length', 'HTTP/1.1 204 No Content\r\n\r\n', { status: 204, body: '', closes: false }],
    ['HEAD: a length but no body', 'HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n', { status: 200, body: '', closes: false, method: 'HEAD' }],
    ['Connection: close', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx', { status: 200, body: 'x', closes: true }],
    ['HTTP/1.0 without keep-alive', 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx', { status: 200, body: 'x', closes: true }],
    ['a reason-less status line', 'HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n', { status: 404, body: '', closes: false }],
    ['UTF-8 in a header value', 'HTTP/1.1 200 OK\r\nX-Name: Zürich\r\nContent-Length: 0\r\n\r\n', { status: 200, body: '', headers: ['X-Name', 'Zürich', 'Content-Length', '0'], closes: false }],
  ];
  it.each(cases)('%s, however the bytes are split', async (_name, wire, want) => {
    for (const parts of splits(wire)) {
      const { ex, sock } = await parse(parts, want.method);
      const where = parts.map((p) => p.length).join('+');
      expect(ex.error, where).toBeNull();
      expect(ex.status, where).toBe(want.status);
      expect(body(ex), where).toBe(want.body);
      if (want.headers) expect(ex.rawHeaders, where).toEqual(want.headers);
      expect(ex.wireBytes, where).toBe(Buffer.byteLength(wire));
      expect(sock.destroyed, where).toBe(want.closes);
      sock.destroy();
    }
  });

  it('heads repeated on one connection are read as a new connection reads them, each response keeping its own', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 12:00:00 GMT\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 12:00:00 GMT\r\nContent-Length: 2\r\n\r\nhi',
      'HTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 12:00:01 GMT\r\nContent-Length: 2\r\n\r\nok', // one byte differs
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 12:00:01 GMT\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 12:00:01 GMT\r\nContent-Length: 3\r\n\r\nyes', // same length, other framing
      'HTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 12:00:01 GMT\r\nContent-Length: 3\r\n\r\nyes',
      'HTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 12:00:01 GMT\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 12:00:01 GMT\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nc\r\n0\r\n\r\n',
      'HTTP/1.1 404 Not Found\r\nDate: Thu, 03 Dec 2026 12:00:01 GMT\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 404 Not Found\r\nDate: Thu, 03 Dec 2026 12:00:01 GMT\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 12:00:01 GMT\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok',
    ];
    let connections = 0;
    const { origin } = await rawServer((s) => {
      connections++;
      let served = 0;
      s.on('data', () => s.write(answers[served++]!));
    });
    const h1 = h1For(origin);
    const got: Exchange[] = [];
    for (let i = 0; i < answers.length; i++) got.push(await run((ex) => h1.dispatch({ origin, method: 'GET', path: '/', reset: false }, ex)));
    await h1.destroy();
    expect(connections).toBe(1);
    const read = got.map((ex) => ({ status: ex.status, text: ex.statusText, headers: [...ex.rawHeaders], body: body(ex), error: ex.error }));
    // what each answer reads as on a fresh connection
    const want = await Promise.all(
      answers.map(async (wire) => {
        const { ex, sock } = await parse([Buffer.from(wire)]);
        sock.destroy();
        return { status: ex.status, text: ex.statusText, headers: [...ex.rawHeaders], body: body(ex), error: ex.error };
      }),
    );
    expect(read).toEqual(want);
    expect(read.map((r) => r.body).join(' ')).toBe('ok hi ok ok yes yes ab c   ok');
    expect(read[2]!.headers[1]).toBe('Thu, 03 Dec 2026 12:00:01 GMT');
    expect(read[0]!.headers[1]).toBe('Thu, 03 Dec 2026 12:00:00 GMT'); // not changed by the later heads
    expect(Object.isFrozen(got[1]!.rawHeaders)).toBe(true); // shared between responses: nobody may change it
  });

  // a short head is compared byte by byte, a long one (> 96 bytes) by Buffer.compare
  it.each([['a short head', '1'], ['a long head', 'x'.repeat(120)]])('%s repeated is read whole however its bytes are split, and one byte short of it is not taken for it', async (_name, xa) => {
    const first = `HTTP/1.1 200 OK\r\nX-A: ${xa}\r\nContent-Length: 2\r\n\r\nok`;
    const seconds = [first.replace('ok', 'hi'), `HTTP/1.1 200 OK\r\nX-A: ${xa}\r\nContent-Length: 3\r\n\r\nyes`, `HTTP/1.1 200 OK\r\nX-A: ${xa}\r\nContent-Length: 2\r\nX-B: 2\r\n\r\nok`];
    for (const second of seconds)
      for (const parts of splits(second)) {
        const sock = new FakeSocket();
        const connect: Connector = (_o, cb) => {
          queueMicrotask(() => cb(null, sock as unknown as net.Socket));
          return sock as never;
        };
        const h1 = h1For('http://fake.test', connect);
        const request = () => run((ex) => h1.dispatch({ origin: 'http://fake.test', method: 'GET', path: '/', reset: false }, ex));
        const a = request();
        await new Promise((r) => setImmediate(r));
        sock.push(Buffer.from(first));
        expect(body(await a)).toBe('ok');
        const b = request();
        await new Promise((r) => setImmediate(r));
        for (const p of parts) sock.push(p);
        const ex = await Promise.race([b, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('the response never ended')), 2000))]);
        const where = `${second.length}: ${parts.map((p) => p.length).join('+')}`;
        expect(ex.error, where).toBeNull();
        expect(body(ex), where).toBe(/\r\n\r\n(.*)$/s.exec(second)![1]);
        expect(ex.rawHeaders, where).toEqual(second.includes('X-B') ? ['X-A', xa, 'Content-Length', '2', 'X-B', '2'] : ['X-A', xa, 'Content-Length', second.includes('yes') ? '3' : '2']);
        expect(sock.destroyed, where).toBe(false);
        sock.destroy();
      }
  });

  it('a body ended by the server closing the connection', async () => {
    const { origin } = await rawServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\n\r\nuntil the end')));
    const h1 = h1For(origin);
    const ex = await run((e) => h1.dispatch({ origin, method: 'GET', path: '/' }, e));
    expect(ex.error).toBeNull();
    expect(body(ex)).toBe('until the end');
    expect(h1.connected).toBe(false);
  });

  it('bodies read into the shared read buffer stay whole when other sockets read after them', async () => {
    // each connection gets its body in two writes, 20 ms apart, so the reads of all of them interleave
    const { origin } = await rawServer((s, i) =>
      s.once('data', () => {
        const body = String.fromCharCode(97 + i).repeat(3000) + String(i);
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 1000)}`);
        setTimeout(() => s.write(body.slice(1000)), 20);
      }),
    );
    const conns = Array.from({ length: 4 }, () => h1For(origin));
    const exs = await Promise.all(conns.map((h1) => run((e) => h1.dispatch({ origin, method: 'GET', path: '/' }, e))));
    await Promise.all(conns.map((h1) => h1.destroy()));
    const bodies = exs.map(body).sort();
    expect(bodies).toEqual([0, 1, 2, 3].map((i) => String.fromCharCode(97 + i).repeat(3000) + String(i)));
  });

  const broken: [string, string][] = [
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a bad status', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['two different lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['a folded header', 'HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ];
  it.each(broken)('%s: the request fails (code 1000) and the socket is closed', async (_name, wire) => {
    const { ex, sock } = await parse([Buffer.from(wire)]);
    expect(ex.error?.message).toMatch(/malformed|invalid/);
    expect(classifyError(ex.error, 'x').code).toBe(1000);
    expect(sock.destroyed).toBe(true);
  });

  it('bytes beyond the response close the socket; the response itself is kept', async () => {
    const { ex, sock } = await parse([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n')]);
    expect(ex.error).toBeNull();
    expect(body(ex)).toBe('ok');
    expect(sock.destroyed).toBe(true);
  });
});

describe('a server closing a kept-alive connection', () => {
  /** Answers the first request on each connection; the second is read and the socket closed unanswered. */
  async function closesAfterOne() {
    const got: string[] = [];
    const srv = await rawServer((s, conn) => {
      let n = 0;
      s.on('data', (d: Buffer) => {
        got.push(`${conn}:${d.toString('latin1').split(' ')[0]}`);
        if (n++ === 0) s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else s.destroy();
      });
    });
    return { ...srv, got };
  }

  it('a GET that met the close is sent once more on a new socket, and succeeds', async () => {
    const { origin, got } = await closesAfterOne();
    const h1 = h1For(origin);
    expect((await run((e) => h1.dispatch({ origin, method: 'GET', path: '/' }, e))).error).toBeNull();
    const second = await run((e) => h1.dispatch({ origin, method: 'GET', path: '/' }, e));
    await h1.destroy();
    expect(second.error).toBeNull();
    expect(body(second)).toBe('ok');
    expect(second.timings().connecting).toBeGreaterThan(0); // it reports the new socket's connect
    expect(got).toEqual(['0:GET', '0:GET', '1:GET']);
  });

  it('a POST with a body is not sent twice: it fails with code 1200', async () => {
    const { origin, got } = await closesAfterOne();
    const h1 = h1For(origin);
    await run((e) => h1.dispatch({ origin, method: 'GET', path: '/' }, e));
    const post = await run((e) => h1.dispatch({ origin, method: 'POST', path: '/', body: Buffer.from('once') }, e));
    await h1.destroy();
    expect(post.error).not.toBeNull();
    expect(classifyError(post.error, '127.0.0.1:1').code).toBe(1200);
    expect(got).toEqual(['0:GET', '0:POST']);
  });

  it('a request on a new socket is not retried either: the server closing it is an error', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.destroy()));
    let connections = 0;
    const counting: Connector = (o, cb) => {
      connections++;
      return timedConnector({})(o, cb);
    };
    const h1 = h1For(srv.origin, counting);
    const ex = await run((e) => h1.dispatch({ origin: srv.origin, method: 'GET', path: '/' }, e));
    await h1.destroy();
    expect(ex.error).not.toBeNull();
    expect(connections).toBe(1);
  });
});

describe('a socket destroyed between requests', () => {
  it('the next request opens a new one instead of writing on it', async () => {
    const sockets: FakeSocket[] = [];
    const connect: Connector = (_o, cb) => {
      const s = new FakeSocket();
      sockets.push(s);
      queueMicrotask(() => cb(null, s as unknown as net.Socket));
      return s as never;
    };
    const h1 = h1For('http://fake.test', connect);
    const answer = (s: FakeSocket) => setImmediate(() => s.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')));
    const first = run((e) => h1.dispatch({ origin: 'http://fake.test', method: 'POST', path: '/', reset: false }, e));
    await new Promise((r) => setImmediate(r));
    answer(sockets[0]!);
    expect((await first).error).toBeNull();
    // destroyed now; its 'close' comes on a later tick, after the next dispatch
    sockets[0]!.destroy();
    const second = run((e) => {
      h1.dispatch({ origin: 'http://fake.test', method: 'POST', path: '/', reset: false, body: Buffer.from('x') }, e);
      setImmediate(() => setImmediate(() => sockets[1] && answer(sockets[1])));
    });
    const ex = await second;
    expect(ex.error).toBeNull();
    expect(sockets).toHaveLength(2);
    expect(Buffer.concat(sockets[1]!.written).toString()).toMatch(/^POST \/ HTTP\/1\.1\r\n/);
    await h1.destroy();
  });
});

describe('ending early', () => {
  it('abort (timeout, interrupt) closes the socket; the next request opens a new one and is answered', async () => {
    const closed: number[] = [];
    const srv = await rawServer((s, i) => {
      s.on('close', () => closed.push(i));
      s.on('data', () => {
        if (i > 0) s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    });
    const h1 = h1For(srv.origin);
    const hanging = run((e) => {
      h1.dispatch({ origin: srv.origin, method: 'GET', path: '/' }, e);
      setTimeout(() => e.abort(new Error('request timeout')), 50);
    });
    expect((await hanging).error?.message).toBe('request timeout');
    const next = await run((e) => h1.dispatch({ origin: srv.origin, method: 'GET', path: '/' }, e));
    expect(next.error).toBeNull();
    await h1.destroy();
    for (let i = 0; i < 50 && closed.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closed.sort()).toEqual([0, 1]);
  });

  it('destroy while the socket is still connecting leaves no socket open', async () => {
    const opened: net.Socket[] = [];
    const srv = await rawServer((s) => opened.push(s));
    const h1 = h1For(srv.origin);
    const ex = run((e) => h1.dispatch({ origin: srv.origin, method: 'GET', path: '/' }, e));
    await h1.destroy();
    expect((await ex).error).not.toBeNull();
    for (let i = 0; i < 100 && !(opened.length === 1 && opened[0]!.destroyed); i++) {
      await new Promise((r) => setTimeout(r, 10));
      if (opened[0]) opened[0].resume(); // read until the client's FIN arrives
    }
    expect(opened).toHaveLength(1);
    expect(opened[0]!.destroyed || opened[0]!.readableEnded).toBe(true);
  });
});

describe('an idle kept-alive socket', () => {
  it('does not hold the process open once its turn is over (a child process exits while the socket is still connected)', async () => {
    // the server keeps the connection: only the client letting go of the idle socket ends the child
    const { origin } = await rawServer((s) => {
      s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    });
    const src = (f: string) => JSON.stringify(new URL(`../../../../engine/modules/http/${f}`, import.meta.url).href);
    const code = `
      const { H1Connection } = await import(${src('h1-connection.ts')});
      const { timedConnector } = await import(${src('connector.ts')});
      const { Exchange } = await import(${src('exchange.ts')});
      const u = new URL(${JSON.stringify(origin)});
      const c = new H1Connection({ host: u.host, hostname: u.hostname, port: u.port }, timedConnector({}));
      for (let i = 0; i < 3; i++) {
        const ex = new Exchange(true);
        await new Promise((r) => { ex.done = r; c.dispatch({ origin: u.origin, path: '/', method: 'GET', headers: [] }, ex); });
        console.log(ex.status, c.connected);
      }`;
    const started = Date.now();
    const out = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('close', (status) => {
        clearTimeout(kill);
        resolve({ status, stdout });
      });
    });
    expect(out.stdout.trim().split('\n')).toEqual(['200 true', '200 true', '200 true']);
    expect(out.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 40_000);
});
