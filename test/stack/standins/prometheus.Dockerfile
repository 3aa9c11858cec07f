# Stand-in for prom/prometheus: Debian's prometheus as the entrypoint, data in /prometheus owned by
# nobody, as in the official image.
FROM aetos-standin:bookworm
RUN mkdir -p /prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
