// Why: the API reference is generated from the route schemas, so it cannot drift from what the
// service validates: @fastify/swagger builds an OpenAPI 3 document (served at /openapi.json) and
// @fastify/swagger-ui serves a browsable page at /docs from its own bundled assets (no CDN, no
// online validator). `documentApi` must be registered before any route so it sees them all.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function documentApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'AetosWMS reference service',
        version: '1.0.0',
        description:
          'The warehouse service aetos-load tests by default. Log in with POST /api/auth/login, then send `Authorization: Bearer <token>`. ' +
          'Limits: 100 requests/minute per user (429 with Retry-After, RateLimit-* headers). Admin routes need X-Admin-Token.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          adminToken: { type: 'apiKey', in: 'header', name: 'X-Admin-Token' },
        },
      },
    },
  });
}

/** Marks every route registered later in this scope with its security scheme in the document. */
export function documentSecurity(scope: FastifyInstance, scheme: 'bearer' | 'adminToken'): void {
  scope.addHook('onRoute', (r) => {
    r.schema = { ...(r.schema ?? {}), security: [{ [scheme]: [] }] } as typeof r.schema;
  });
}

export async function docsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null, deepLinking: true } as any });
}
