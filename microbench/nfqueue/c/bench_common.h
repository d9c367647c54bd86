/*
 * What the harness's C programs share: a monotonic clock and the recvmmsg/sendmmsg arrays.
 * Include after defining _GNU_SOURCE (struct mmsghdr).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* n messages of one iovec each: message i covers len bytes at base + i * stride. */
static inline void mmsg_init(struct mmsghdr *msgs, struct iovec *iov, int n, char *base, size_t stride, size_t len) {
    memset(msgs, 0, sizeof *msgs * (size_t)n);
    for (int i = 0; i < n; i++) {
        iov[i].iov_base = base + (size_t)i * stride;
        iov[i].iov_len = len;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
}

#endif
