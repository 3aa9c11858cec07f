// Why: a NUL byte reached Postgres ("invalid byte sequence") and came back as a 500, and so did
// `page=1e309` (ajv coerces it to Infinity, and Infinity passes its `maximum`). Control characters
// and non-finite numbers have no business in any parameter of this API, so every value in the
// path parameters, the query and a JSON body is checked once, after validation (so coerced
// numbers are seen), before any handler, for all routes.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** One control character; `controls` (global) replaces each in a reported key. */
const CONTROL_CLASS = '[\\u0000-\\u001f\\u007f]';
const control = new RegExp(CONTROL_CLASS);
const controls = new RegExp(CONTROL_CLASS, 'g');

/** The dotted path of the first string holding a control character or non-finite number, or undefined. */
export function findControlChar(value: unknown, where: string, depth = 0): string | undefined {
  if (typeof value === 'string') return control.test(value) ? where : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : where;
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  // The path is built only on a hit, from the inside out: a clean request allocates nothing here.
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    if (control.test(k)) return `${where}.${k.replace(controls, '?')}`;
    const hit = findControlChar((value as Record<string, unknown>)[k], k, depth + 1);
    if (hit) return `${where}.${hit}`;
  }
  return undefined;
}

/** A preHandler of every route, in callback style (no promise per request). */
export function rejectControlChars(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const hit = findControlChar(req.params, 'params') ?? findControlChar(req.query, 'querystring') ?? findControlChar(req.body, 'body');
  if (hit) reply.code(400).send({ error: `invalid request: ${hit} holds a control character or a number out of range` });
  else done();
}
