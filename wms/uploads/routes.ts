// Why: multipart uploads streamed to a temp file while hashing (never buffered whole); over the
// limit → 413 and the partial file removed; a malformed multipart body (no boundary, cut short) → 400.
// The folder itself is created by wms/index.ts, which also removes it on exit.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.ts';

export async function uploadRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  const limit = Math.floor(ctx.config.uploadLimitMb * 1024 * 1024);
  await app.register(multipart, { limits: { fileSize: limit, files: 1, fields: 10 }, throwFileSizeLimit: true });

  const malformed = (e: any) => Object.assign(new Error(`malformed multipart body: ${e?.message ?? e}`), { statusCode: 400 });
  app.post('/api/uploads', { schema: { tags: ['uploads'], summary: 'Upload one file (multipart field "file"); answers its size and SHA-256' } }, async (req, reply) => {
    if (!req.isMultipart()) return reply.code(400).send({ error: 'expected multipart/form-data with a "file" field' });
    let file;
    try {
      file = await req.file();
    } catch (e: any) {
      if (e?.statusCode === 413) throw e;
      throw malformed(e);
    }
    if (!file || file.fieldname !== 'file') return reply.code(400).send({ error: 'missing multipart field "file"' });
    const dest = path.join(ctx.config.uploadDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(file.file, tap, createWriteStream(dest));
      if (file.file.truncated) throw Object.assign(new Error('too large'), { code: 'FST_REQ_FILE_TOO_LARGE' });
    } catch (e: any) {
      await rm(dest, { force: true });
      if (e?.code === 'FST_REQ_FILE_TOO_LARGE' || e?.statusCode === 413) {
        reply.header('Connection', 'close');
        return reply.code(413).send({ error: `file larger than ${ctx.config.uploadLimitMb} MB` });
      }
      // busboy's parse errors (cut-short parts, bad headers) are the client's fault
      if (!e?.statusCode || e.statusCode < 500) throw malformed(e);
      throw e;
    }
    if (!ctx.config.keepUploads) await rm(dest, { force: true });
    const name = path.basename(file.filename || 'upload');
    return reply.code(201).send({ filename: name, size, sha256: hash.digest('hex') });
  });
}
