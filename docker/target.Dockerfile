# The reference AetosWMS service (wms/) as a production image: production dependencies only
# (esbuild and tsx, which run the TypeScript, are among them), a non-root user, a health check on /api/health.
#   docker build -f docker/target.Dockerfile -t aetos-wms:latest .
# NODE_IMAGE: any Debian-based Node ≥ 20 image that has npm and a `node` user (uid 1000).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Sources (.dockerignore keeps node_modules, results, build, tests and secrets out).
COPY . .
# The code runs from a bundle of its TypeScript (engine/build/app-bundle.js), built here as root so
# the non-root user only reads it (it would otherwise run from source through tsx, slower to start).
RUN node bin/aetos-load.js version >/dev/null
USER node
EXPOSE 8080
# Every 30 s (the guide's interval); compose may override the interval.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:8080/api/health', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
CMD ["node", "bin/aetos-load.js", "target", "--host", "0.0.0.0", "--port", "8080"]
