# Stand-in for redis:7-alpine: Debian's redis-server, run as the redis user.
FROM aetos-standin:bookworm
USER redis
WORKDIR /var/lib/redis
CMD ["redis-server", "--protected-mode", "no"]
