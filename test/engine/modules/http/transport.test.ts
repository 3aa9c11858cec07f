/**
 * Timings and connections: phase timings against a fixture with known delays, one socket per VU
 * kept alive across iterations, noConnectionReuse / noVUConnectionReuse, hosts mapping, and the
 * samples each request emits.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './fixture-server.ts';
import { closeAll, load } from './harness.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await closeAll();
  await fx.close();
});

describe('timings', () => {
  it('waiting ≈ 50 ms before headers and receiving ≈ 20 ms of streamed body (± 3 ms of what the server did); duration = sending + waiting + receiving', async () => {
    const { http, vu } = load();
    await http.get(`${fx.url}/echo`); // open the connection first
    const waitErr: number[] = [];
    const recvErr: number[] = [];
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await http.get(`${fx.url}/timed`);
      const [text, actual] = (res.body as string).split('|');
      expect(text).toBe('first;second;last');
      const server = JSON.parse(actual!) as { wait: number; stream: number };
      const t = res.timings;
      waits.push(t.waiting);
      waitErr.push(t.waiting - server.wait);
      recvErr.push(t.receiving - server.stream);
      expect(t.duration).toBeCloseTo(t.sending + t.waiting + t.receiving, 9);
      expect(t.connecting).toBe(0); // reused connection
      expect(t.waiting).toBeGreaterThanOrEqual(49);
      // no per-request bound on receiving: a late first chunk (the client's event loop busy on a
      // loaded machine) shortens it; the median against what the server did is checked below
    }
    // The fixture's timers fire late when the shared 2-core machine is busy, so the reference is
    // the delay the server really produced (it reports it in the body); nominally 50 ms / 20 ms.
    // A bias of the transport shows in every run, the best one included: the best of 5 within
    // 3 ms. A stall of this process between the server's write and the client's read shows in some
    // runs only; beside the other suites in CI it moved the median of 5 to 5.4 ms once, so the
    // median only has to stay within 10 ms.
    const abs = (a: number[]) => a.map(Math.abs).sort((x, y) => x - y);
    expect(abs(waitErr)[0]).toBeLessThanOrEqual(3);
    expect(abs(recvErr)[0]).toBeLessThanOrEqual(3);
    expect(abs(waitErr)[2]).toBeLessThanOrEqual(10);
    expect(abs(recvErr)[2]).toBeLessThanOrEqual(10);
    // the samples carry the same numbers as res.timings
    const last = vu.of('http_req_waiting').at(-1)!.value;
    expect(last).toBe(waits.at(-1));
    const d = vu.of('http_req_duration').at(-1)!.value;
    const s = vu.of('http_req_sending').at(-1)!.value;
    const r = vu.of('http_req_receiving').at(-1)!.value;
    expect(d).toBeCloseTo(s + last + r, 9);
  });

  it('a new connection reports connecting and blocked ≥ connecting; sub-ms precision', async () => {
    const { http } = load();
    const res = await http.get(`${fx.url}/echo`);
    expect(res.timings.connecting).toBeGreaterThan(0);
    expect(res.timings.blocked).toBeGreaterThanOrEqual(res.timings.connecting);
    expect(res.timings.looking_up).toBe(0); // IP literal
    expect(Number.isInteger(res.timings.duration)).toBe(false);
  });
});

describe('samples', () => {
  it('emits k6 built-ins with method/url/name/status/proto/expected_response; data_* at iteration end', async () => {
    const { http, vu } = load();
    await vu.startIteration();
    await http.post(`${fx.url}/echo`, 'hello');
    const metrics = vu.samples.map((s) => s.metric);
    expect(metrics).toEqual([
      'http_reqs',
      'http_req_duration',
      'http_req_blocked',
      'http_req_connecting',
      'http_req_tls_handshaking',
      'http_req_sending',
      'http_req_waiting',
      'http_req_receiving',
      'http_req_failed',
    ]);
    expect(vu.samples[0]!.tags).toMatchObject({
      scenario: 'default',
      method: 'POST',
      url: `${fx.url}/echo`,
      name: `${fx.url}/echo`,
      status: '200',
      proto: 'HTTP/1.1',
      expected_response: 'true',
    });
    expect(vu.samples[0]!.tags.error).toBeUndefined();
    await vu.fire('iterationEnd');
    const sent = vu.of('data_sent')[0]!;
    const recv = vu.of('data_received')[0]!;
    expect(sent.value).toBeGreaterThan(5 + 40); // request line + headers + body
    expect(recv.value).toBeGreaterThan(100); // status line + headers + JSON body
    expect(sent.tags.method).toBeUndefined();
  });
});

describe('data_sent / data_received', () => {
  /**
   * A raw TCP server answering every request with fixed bytes and counting the request bytes it
   * read, so the byte metrics can be compared with what really crossed the socket.
   */
  async function rawServer(response: string) {
    let received = 0;
    const server = net.createServer((sock) => {
      let buf = '';
      sock.on('data', (d: Buffer) => {
        received += d.length;
        buf += d.toString('latin1');
        // one request = headers + Content-Length bytes of body
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
          if (buf.length < end + 4 + len) return;
          buf = buf.slice(end + 4 + len);
          sock.write(response);
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
      received: () => received,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  const response = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Extra: yes\r\n\r\nhello';

  async function measure(send: (http: ReturnType<typeof load>['http'], url: string) => Promise<unknown>) {
    const raw = await rawServer(response);
    try {
      const { http, vu } = load();
      await vu.startIteration();
      await send(http, raw.url);
      await vu.fire('iterationEnd');
      const sent = vu.of('data_sent').reduce((n, s) => n + s.value, 0);
      const received = vu.of('data_received').reduce((n, s) => n + s.value, 0);
      return { sent, wireSent: raw.received(), received };
    } finally {
      await closeAll();
      await raw.close();
    }
  }

  it('count the bytes of a GET exactly as they crossed the socket', async () => {
    const m = await measure(async (http, url) => {
      for (let i = 0; i < 3; i++) expect((await http.get(`${url}/a?i=${i}`)).body).toBe('hello');
    });
    expect(m.sent).toBe(m.wireSent);
  });

  // undici writes content-length after the header block it reports: data_sent must count that line too.
  it('count the bytes of a POST with a body exactly as they crossed the socket', async () => {
    const m = await measure(async (http, url) => {
      for (let i = 0; i < 3; i++) expect((await http.post(`${url}/a`, `body-${i}`)).body).toBe('hello');
    });
    expect(m.sent).toBe(m.wireSent);
  });

  // The status line is "HTTP/1.1 200 " + text + CRLF: 15 bytes + the text.
  it('count the bytes received exactly as they crossed the socket', async () => {
    const m = await measure(async (http, url) => {
      for (let i = 0; i < 3; i++) expect((await http.get(`${url}/a?i=${i}`)).body).toBe('hello');
    });
    expect(m.received).toBe(3 * response.length);
  });
});

describe('connections', () => {
  it('N VUs open N sockets, kept alive across iterations', async () => {
    const before = fx.connections();
    const vus = Array.from({ length: 4 }, (_, i) => load({}, i + 1));
    for (let iter = 0; iter < 3; iter++)
      await Promise.all(
        vus.map(async ({ http, vu }) => {
          await vu.startIteration();
          for (let k = 0; k < 5; k++) expect((await http.get(`${fx.url}/echo`)).status).toBe(200);
          await vu.fire('iterationEnd');
        }),
      );
    expect(fx.connections() - before).toBe(4);
  });

  it('200 VUs × 10 requests: every request answered, one socket per VU, all closed on VU close', async () => {
    const before = fx.connections();
    const vus = Array.from({ length: 200 }, (_, i) => load({}, i + 1));
    const statuses = await Promise.all(
      vus.map(async ({ http }) => {
        const got: number[] = [];
        for (let k = 0; k < 10; k++) got.push((await http.get(`${fx.url}/echo`)).status);
        return got;
      }),
    );
    expect(statuses.flat().every((s) => s === 200)).toBe(true);
    expect(fx.connections() - before).toBe(200);
    for (const { vu } of vus) await vu.fire('close');
    await expect(vus[0]!.http.get(`${fx.url}/echo`)).rejects.toThrow(/VU has been closed/);
  });

  it('noConnectionReuse opens one socket per request', async () => {
    const before = fx.connections();
    const { http } = load({ noConnectionReuse: true });
    for (let k = 0; k < 5; k++) {
      const res = await http.get(`${fx.url}/echo`);
      expect(res.json().headers.connection).toBe('close');
      expect(res.timings.connecting).toBeGreaterThan(0);
    }
    expect(fx.connections() - before).toBe(5);
  });

  it('noVUConnectionReuse opens one socket per iteration', async () => {
    const before = fx.connections();
    const { http, vu } = load({ noVUConnectionReuse: true });
    for (let i = 0; i < 3; i++) {
      await vu.startIteration();
      for (let k = 0; k < 3; k++) await http.get(`${fx.url}/echo`);
    }
    expect(fx.connections() - before).toBe(3);
  });

  it('hosts maps a name (and name:port) to the fixture; Host header keeps the name', async () => {
    const { http } = load({ hosts: { 'wms.test': '127.0.0.1', 'api.test:80': `127.0.0.1:${fx.port}` } });
    const res = await http.get(`http://wms.test:${fx.port}/echo`);
    expect(res.status).toBe(200);
    expect(res.json().headers.host).toBe(`wms.test:${fx.port}`);
    const res2 = await http.get('http://api.test/echo');
    expect(res2.status).toBe(200);
    expect(res2.remote_port).toBe(fx.port);
  });
});
