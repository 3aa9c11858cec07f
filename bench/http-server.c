/*
 * A tiny single-threaded epoll HTTP/1.1 keep-alive server for the k6/http benchmark
 * (bench/http-throughput.ts), so the load generators, not the server, are what is measured.
 *   http-server PORT [DELAY_MS]   (binds 127.0.0.1 only)
 * Answers every request head with "200 ok"; with DELAY_MS each answer is sent that long after
 * its request was read, timed with a timerfd (ns resolution, deadlines in arrival order).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
#define QMAX 65536
static struct { int fd; long long due; } q[QMAX];
static unsigned qhead, qtail; /* ring of delayed answers, deadlines non-decreasing */

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void arm(int tfd) {
  struct itimerspec its = {0};
  if (qhead != qtail) {
    long long due = q[qhead % QMAX].due;
    its.it_value.tv_sec = due / 1000000000LL;
    its.it_value.tv_nsec = due % 1000000000LL;
  }
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 8080;
  long long delay = argc > 2 ? atoll(argv[2]) * 1000000LL : 0;
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
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct epoll_event tev = {.events = EPOLLIN, .data.fd = tfd};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);
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
      if (fd == tfd) {
        unsigned long long ticks;
        if (read(tfd, &ticks, sizeof ticks) < 0) { /* spurious */ }
        long long t = now_ns();
        while (qhead != qtail && q[qhead % QMAX].due <= t) {
          if (write(q[qhead % QMAX].fd, RESP, sizeof RESP - 1) < 0) { /* peer gone */ }
          qhead++;
        }
        arm(tfd);
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf - 1);
      if (r <= 0) { close(fd); continue; }
      buf[r] = 0;
      /* one response per complete request head (GET, no bodies) */
      int reqs = 0;
      for (char *p = buf; (p = strstr(p, "\r\n\r\n")); p += 4) reqs++;
      if (reqs > 64) reqs = 64;
      if (delay > 0) {
        int was_empty = qhead == qtail;
        long long due = now_ns() + delay;
        for (int k = 0; k < reqs && qtail - qhead < QMAX; k++) { q[qtail % QMAX].fd = fd; q[qtail % QMAX].due = due; qtail++; }
        if (was_empty) arm(tfd);
        continue;
      }
      size_t len = 0;
      for (int k = 0; k < reqs; k++) { memcpy(out + len, RESP, sizeof RESP - 1); len += sizeof RESP - 1; }
      if (len && write(fd, out, len) < 0) close(fd);
    }
  }
}
