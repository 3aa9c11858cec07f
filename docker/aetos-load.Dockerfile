# The load engine with every scenario: `docker run aetos-load:latest load smoke` (BASE_URL points at
# the system under test). Production dependencies only, a non-root user; the k6 bundles are built
# into /app/build at image build time (so the image runs without writing its own code).
#   docker build -f docker/aetos-load.Dockerfile -t aetos-load:latest .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# node_modules/.cache/aetos-load holds the bundle the command and its worker threads run from
# (engine/build/app-bundle.js: `build` below makes it, beside node_modules so its package imports
# resolve) and the remote-module cache: the node user writes it.
RUN node bin/aetos-load.js build && mkdir -p results node_modules/.cache/aetos-load \
  && chown -R node:node build results node_modules/.cache
USER node
VOLUME ["/app/results"]
ENTRYPOINT ["node", "bin/aetos-load.js"]
CMD ["--help"]
