// Why: login (scrypt + JWT), /me, and the bearer-token + per-user rate-limit guard for /api.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Ctx, timed } from '../context.ts';
import { signJwt, verifyJwt } from './jwt.ts';
import { scryptVerify } from './password.ts';

const loginSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    additionalProperties: false,
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64 },
      password: { type: 'string', minLength: 1, maxLength: 256 },
    },
  },
} as const;

const publicPaths = new Set(['/api/auth/login', '/api/health']);

/** Fixed one-minute window; answers 429 with Retry-After when over. Returns false if it answered. */
export async function rateLimit(ctx: Ctx, key: string, reply: FastifyReply): Promise<boolean> {
  const limit = ctx.config.rateLimitPerMinute;
  if (limit <= 0) return true;
  const now = Date.now();
  const window = Math.floor(now / 60_000);
  const n = await ctx.cache.incr(`rl:${key}:${window}`, 61_000).catch(() => 0);
  if (n <= limit) return true;
  const retry = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
  reply.code(429).header('Retry-After', String(retry)).send({ error: 'rate limit exceeded', retryAfterSeconds: retry });
  return false;
}

export async function authRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    if (!path.startsWith('/api/') || publicPaths.has(path) || path.startsWith('/api/admin/')) return;
    const h = req.headers.authorization;
    const claims = h && h.startsWith('Bearer ') ? verifyJwt(h.slice(7), ctx.config.jwtSecret) : null;
    if (!claims) return reply.code(401).send({ error: h ? 'invalid or expired token' : 'missing bearer token' });
    req.user = { id: claims.sub, username: claims.username, role: claims.role };
    if (!(await rateLimit(ctx, `u:${claims.sub}`, reply))) return reply;
  });

  app.post('/api/auth/login', { schema: loginSchema }, async (req, reply) => {
    const { username, password } = req.body as { username: string; password: string };
    if (!(await rateLimit(ctx, `login:${username}`, reply))) return reply;
    const { rows } = await timed(req, 'db', () =>
      ctx.db.query('user_by_name', 'SELECT id, username, password_hash, role FROM users WHERE username = $1', [username]),
    );
    const u = rows[0];
    if (!u || !(await scryptVerify(password, u.password_hash))) return reply.code(401).send({ error: 'invalid username or password' });
    const token = signJwt({ sub: u.id, username: u.username, role: u.role }, ctx.config.jwtSecret, ctx.config.jwtTtlSeconds);
    return { token, expiresIn: ctx.config.jwtTtlSeconds, user: { id: u.id, username: u.username, role: u.role } };
  });

  app.get('/api/auth/me', async (req) => req.user);
}
