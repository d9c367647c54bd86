/*
 * udp_sink: counts UDP datagrams arriving at 127.0.0.1:PORT and prints the delivered rate,
 * measured from the first datagram to the last. It stops after EXPECTED datagrams, or when
 * none has come for IDLE_MS milliseconds once the first one has arrived (or 30 s before it).
 * Prints "ready" on stdout once bound, then "delivered COUNT SECONDS RATE".
 *
 * usage: udp_sink PORT EXPECTED [IDLE_MS]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"

#define BATCH 256
#define BUF 2048

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s PORT EXPECTED [IDLE_MS]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    long expected = atol(argv[2]);
    int idle = argc > 3 ? atoi(argv[3]) : 300;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    int rcvbuf = 64 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);

    static char bufs[BATCH][BUF];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    mmsg_init(msgs, iov, BATCH, &bufs[0][0], BUF, BUF);
    long count = 0;
    double first = 0, last = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    while (count < expected) {
        int r = poll(&pfd, 1, count == 0 ? 30000 : idle);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("poll");
            return 1;
        }
        if (r == 0) {
            break; /* idle: the rest is not coming */
        }
        for (;;) {
            int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
            if (n <= 0) {
                break;
            }
            last = now();
            if (count == 0) {
                first = last;
            }
            count += n;
        }
    }
    double span = last - first;
    printf("delivered %ld %.4f %.0f\n", count, span, span > 0 ? (count - 1) / span : 0.0);
    return 0;
}
