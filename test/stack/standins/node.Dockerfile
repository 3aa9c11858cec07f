# Stand-in for node:20-bookworm-slim (no registry here): the Debian root filesystem plus the host's
# Node and npm (Debian's nodejs is 18), the machine's CA bundle (npm ci reaches the registry through
# it) and the `node` user (uid 1000) that the official image has.
FROM aetos-standin:bookworm
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && useradd --uid 1000 --create-home --shell /bin/sh node
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
