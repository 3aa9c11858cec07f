# Stand-in for postgres:16-alpine: Debian's PostgreSQL 15 behind an entrypoint that honours the
# official image's interface (POSTGRES_USER/PASSWORD/DB, PGDATA, `postgres -c …` arguments).
FROM aetos-standin:bookworm
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PGDATA=/var/lib/postgresql/data PATH=/usr/lib/postgresql/15/bin:$PATH
RUN mkdir -p "$PGDATA" /var/run/postgresql && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
