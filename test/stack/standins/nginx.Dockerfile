# Stand-in for nginx:1.27-alpine: Debian's nginx, its default site removed so that only
# /etc/nginx/conf.d/*.conf (where compose mounts docker/nginx.conf) serves, in the foreground.
FROM aetos-standin:bookworm
RUN rm -f /etc/nginx/sites-enabled/default \
 && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
CMD ["nginx", "-g", "daemon off;"]
