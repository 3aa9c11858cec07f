/*
 * A tiny single-threaded epoll HTTP/1.1 keep-alive server for the k6/http throughput benchmark
 * (bench/http-throughput.ts): answers every request with "200 ok" so the load generators, not the
 * server, are what is measured. Usage: http-server PORT  (binds 127.0.0.1 only).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 8080;
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 1024)) { perror("listen"); return 1; }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  printf("listening %d\n", port);
  fflush(stdout);
  struct epoll_event evs[256];
  static char buf[65536];
  static char out[sizeof RESP * 64];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int c;
        while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
        }
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf - 1);
      if (r <= 0) { close(fd); continue; }
      buf[r] = 0;
      /* one response per complete request head (GET, no bodies) */
      int reqs = 0;
      for (char *p = buf; (p = strstr(p, "\r\n\r\n")); p += 4) reqs++;
      if (reqs > 64) reqs = 64;
      size_t len = 0;
      for (int k = 0; k < reqs; k++) { memcpy(out + len, RESP, sizeof RESP - 1); len += sizeof RESP - 1; }
      if (len && write(fd, out, len) < 0) close(fd);
    }
  }
}
