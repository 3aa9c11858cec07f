// Why: the two gates of the API, used as onRequest hooks of their scopes (wms/index.ts): a bearer
// JWT for every /api domain, the admin token for /api/admin. They decide from headers only: which
// routes they guard is decided by where a route is registered, never by reading the URL.
import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Ctx } from '../context.ts';
import { cachedVerifier } from './jwt.ts';

type User = NonNullable<FastifyRequest['user']>;

/**
 * The last Authorization header a connection sent that passed, with its user and expiry: a load
 * test's virtual user sends the same token on every request of its connection, and finding it in
 * the verifier's memory hashes the whole token each time (issue 21). Only an identical header that
 * passed on this very socket, and has not expired since, is let through on it.
 */
const kPassed = Symbol('aetos.passedAuthorization');
type Remembering = Socket & { [kPassed]?: { header: string; user: User; expiresAt: number } };

export function authenticate(ctx: Ctx) {
  const verify = cachedVerifier(ctx.config.jwtSecret);
  // callback style: it runs on every API request, and a promise per request is a measurable cost
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const h = req.headers.authorization;
    const socket = req.raw.socket as Remembering | null;
    const passed = socket?.[kPassed];
    if (passed !== undefined && passed.header === h && passed.expiresAt > Date.now()) {
      req.user = passed.user;
      return done();
    }
    const claims = h && h.startsWith('Bearer ') ? verify(h.slice(7)) : null;
    if (!claims) {
      reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: h ? 'invalid or expired token' : 'missing bearer token' });
      return;
    }
    // frozen: the requests of a connection share it
    const user = Object.freeze({ id: claims.sub, username: claims.username, role: claims.role });
    req.user = user;
    if (socket) socket[kPassed] = { header: h!, user, expiresAt: claims.exp * 1000 };
    done();
  };
}

export function requireAdminToken(ctx: Ctx) {
  const want = Buffer.from(ctx.config.adminToken);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const got = req.headers['x-admin-token'];
    if (typeof got !== 'string' || got === '') return reply.code(401).send({ error: 'missing X-Admin-Token' });
    const g = Buffer.from(got);
    if (g.length !== want.length || !timingSafeEqual(g, want)) return reply.code(403).send({ error: 'bad X-Admin-Token' });
    return undefined;
  };
}
