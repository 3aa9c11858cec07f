// Why: login (scrypt + JWT) and /me. Login is limited per address + username and per address;
// an unknown username costs the same scrypt as a known one.
import type { FastifyInstance, FastifySchema } from 'fastify';
import { type Ctx, timed } from '../context.ts';
import type { RateLimits } from '../security/rate-limit.ts';
import { signJwt } from './jwt.ts';
import { dummyVerify, scryptVerify } from './password.ts';

const userSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, username: { type: 'string' }, role: { type: 'string' } },
} as const;

const loginSchema: FastifySchema = {
  tags: ['auth'],
  summary: 'Log in: a JWT for the Authorization: Bearer header',
  description: 'Seed users: admin, user0001 … user0500 (SEED_USERS), password SEED_PASSWORD (default Passw0rd!, loopback only).',
  body: {
    type: 'object',
    required: ['username', 'password'],
    additionalProperties: false,
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64, examples: ['user0001'] },
      password: { type: 'string', minLength: 1, maxLength: 256, examples: ['Passw0rd!'] },
    },
  },
  response: {
    200: { type: 'object', properties: { token: { type: 'string' }, expiresIn: { type: 'integer' }, user: userSchema } },
  },
};

/** POST /api/auth/login, registered in the public-but-limited login scope. */
export async function loginRoute(app: FastifyInstance, ctx: Ctx, limits: RateLimits): Promise<void> {
  app.post('/api/auth/login', { schema: loginSchema }, async (req, reply) => {
    const { username, password } = req.body as { username: string; password: string };
    if (!(await limits.enforce('login-ip', req, reply, req.ip))) return reply;
    if (!(await limits.enforce('login-user', req, reply, `${req.ip}:${username}`))) return reply;
    const { rows } = await timed(req, 'db', () =>
      ctx.db.read('user_by_name', 'SELECT id, username, password_hash, role FROM users WHERE username = $1', [username]),
    );
    const u = rows[0];
    const ok = u ? await scryptVerify(password, u.password_hash) : await dummyVerify(password);
    if (!u || !ok) return reply.code(401).send({ error: 'invalid username or password' });
    const token = signJwt({ sub: u.id, username: u.username, role: u.role }, ctx.config.jwtSecret, ctx.config.jwtTtlSeconds);
    return { token, expiresIn: ctx.config.jwtTtlSeconds, user: { id: u.id, username: u.username, role: u.role } };
  });
}

/** GET /api/auth/me, registered in the authenticated scope. */
export async function meRoute(app: FastifyInstance): Promise<void> {
  app.get('/api/auth/me', { schema: { tags: ['auth'], summary: 'The user the bearer token belongs to', response: { 200: userSchema } } }, async (req) => req.user);
}
