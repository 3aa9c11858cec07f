/**
 * A 10 MB multipart upload: the server hashes the file part; the file's bytes are shared, not
 * copied, by every VU's request body.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBody, file } from '../../../../engine/modules/http/body.ts';
import { VuConnections } from '../../../../engine/modules/http/transport.ts';
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

const size = 10 * 1024 * 1024;
const bytes = randomBytes(size);
// What open(path, 'b') gives a script: one ArrayBuffer, shared by all VUs.
const shared: ArrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
const sha = createHash('sha256').update(bytes).digest('hex');

describe('10 MB multipart upload', () => {
  it('the encoded body references the file memory instead of copying it', () => {
    const enc = encodeBody({ file: file(shared, 'big.bin') })!;
    const chunks = enc.payload as Buffer[];
    expect(Array.isArray(chunks)).toBe(true);
    const fileChunk = chunks.find((c) => c.length === size)!;
    expect(fileChunk.buffer).toBe(shared); // same memory
    expect(enc.length).toBe(chunks.reduce((n, c) => n + c.length, 0));
  });

  it('through the client too: what each VU hands its connection holds the file memory itself, and no 10 MB buffer is made', async () => {
    const bodies: unknown[] = [];
    const bigAllocations: string[] = [];
    const dispatch = VuConnections.prototype.dispatch;
    const originals = { concat: Buffer.concat, alloc: Buffer.alloc, allocUnsafe: Buffer.allocUnsafe, allocUnsafeSlow: Buffer.allocUnsafeSlow };
    // Any buffer of the file's size made outside the fixture server (which must read the body
    // whole to hash it) would be a per-request copy.
    const watch = (n: number) => {
      if (n < size) return;
      const stack = new Error().stack ?? '';
      if (!stack.includes('fixture-server')) bigAllocations.push(stack);
    };
    VuConnections.prototype.dispatch = function (this: VuConnections, opts, handler) {
      if (opts.path === '/upload') bodies.push(opts.body);
      return dispatch.call(this, opts, handler);
    };
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
      watch(total ?? list.reduce((n, b) => n + b.length, 0));
      return originals.concat(list, total);
    }) as typeof Buffer.concat;
    Buffer.alloc = ((n: number, ...rest: unknown[]) => (watch(n), (originals.alloc as (...a: unknown[]) => Buffer)(n, ...rest))) as typeof Buffer.alloc;
    Buffer.allocUnsafe = ((n: number) => (watch(n), originals.allocUnsafe(n))) as typeof Buffer.allocUnsafe;
    Buffer.allocUnsafeSlow = ((n: number) => (watch(n), originals.allocUnsafeSlow(n))) as typeof Buffer.allocUnsafeSlow;
    let results;
    try {
      const vus = [1, 2, 3].map((id) => load({}, id));
      results = await Promise.all(vus.map(({ http }) => http.post(`${fx.url}/upload`, { file: http.file(shared, 'big.bin') })));
    } finally {
      VuConnections.prototype.dispatch = dispatch;
      Object.assign(Buffer, originals);
    }
    for (const res of results) expect(res.json().parts[0].sha256).toBe(sha);
    expect(bodies).toHaveLength(3);
    for (const body of bodies) {
      expect(Array.isArray(body)).toBe(true);
      const fileChunk = (body as Buffer[]).find((c) => c.length === size)!;
      expect(fileChunk.buffer).toBe(shared);
    }
    expect(bigAllocations).toEqual([]);
  });

  it('3 VUs upload the same 10 MB file concurrently; the server checks the SHA-256', async () => {
    const vus = [1, 2, 3].map((id) => load({}, id));
    const results = await Promise.all(
      vus.map(({ http }) => http.post(`${fx.url}/upload`, { note: 'x', file: http.file(shared, 'big.bin', 'application/octet-stream') })),
    );
    for (const res of results) {
      expect(res.status).toBe(200);
      const body = res.json();
      const part = body.parts.find((p: { name: string }) => p.name === 'file');
      expect(part.size).toBe(size);
      expect(part.sha256).toBe(sha);
      expect(part.filename).toBe('big.bin');
      expect(Number(body.contentLength)).toBeGreaterThan(size);
      expect(res.timings.sending).toBeGreaterThan(0);
    }
  });
});
