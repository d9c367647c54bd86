/*
 * udp_pingpong: UDP round-trip times over 127.0.0.1.
 *   udp_pingpong server PORT            echoes every datagram back to its sender (prints "ready")
 *   udp_pingpong client PORT COUNT SIZE sends one datagram, waits for its echo, COUNT times
 *                                       (after COUNT/10 unrecorded warm-up rounds), and prints
 *                                       "rtt_us p50 P50 p99 P99 max MAX lost LOST"
 * A round trip whose echo does not come within 1 s is counted lost and skipped.
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

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int server(int port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("bind");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    char buf[65536];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("recvfrom");
            return 1;
        }
        sendto(fd, buf, n, 0, (struct sockaddr *)&from, fromlen);
    }
}

static int client(int port, int count, int size) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("connect");
        return 1;
    }
    char *out = calloc(1, size < 8 ? 8 : size);
    char in[65536];
    long long *rtt = calloc(count, sizeof *rtt);
    int warmup = count / 10, recorded = 0, lost = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    for (long seq = 0; seq < warmup + count; seq++) {
        memcpy(out, &seq, sizeof seq);
        long long t0 = now_ns();
        if (send(fd, out, size, 0) < 0) {
            lost++;
            continue;
        }
        for (;;) {
            int r = poll(&pfd, 1, 1000);
            if (r <= 0) {
                lost++;
                break;
            }
            ssize_t n = recv(fd, in, sizeof in, 0);
            long got;
            if (n >= 8 && (memcpy(&got, in, sizeof got), got == seq)) {
                if (seq >= warmup) {
                    rtt[recorded++] = now_ns() - t0;
                }
                break;
            }
            /* a late echo of an earlier, timed-out round: read on */
        }
    }
    qsort(rtt, recorded, sizeof *rtt, cmp);
    if (recorded == 0) {
        printf("rtt_us p50 nan p99 nan max nan lost %d\n", lost);
        return 1;
    }
    printf("rtt_us p50 %.1f p99 %.1f max %.1f lost %d\n", rtt[recorded / 2] / 1e3,
           rtt[(int)(recorded * 0.99)] / 1e3, rtt[recorded - 1] / 1e3, lost);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "server") == 0) {
        return server(atoi(argv[2]));
    }
    if (argc >= 5 && strcmp(argv[1], "client") == 0) {
        return client(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    }
    fprintf(stderr, "usage: %s server PORT | client PORT COUNT SIZE\n", argv[0]);
    return 2;
}
