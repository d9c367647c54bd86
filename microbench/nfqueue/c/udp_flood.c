/*
 * udp_flood: sends COUNT UDP datagrams of SIZE payload bytes to 127.0.0.1:PORT as fast as
 * sendmmsg(2) takes them, in batches of 64. The socket is blocking, so when the datagrams in
 * flight fill its send buffer (for example because they wait in an NFQUEUE queue), the sender
 * waits: the flood is paced by whatever consumes it instead of overflowing the queue.
 *
 * SNDBUF_BYTES 0 keeps the system's send buffer; SRC_ADDR binds the socket to that source address
 * (127.0.0.2, ...), which is what NFQUEUE's --queue-balance hashes on (with the destination and
 * the protocol: not the ports).
 *
 * usage: udp_flood PORT COUNT SIZE [SNDBUF_BYTES [SRC_ADDR]]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"

#define BATCH 64

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s PORT COUNT SIZE [SNDBUF_BYTES [SRC_ADDR]]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    long count = atol(argv[2]);
    int size = atoi(argv[3]);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    if (argc > 4 && atoi(argv[4]) > 0) {
        int sndbuf = atoi(argv[4]);
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) < 0) {
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
        }
    }
    if (argc > 5) {
        struct sockaddr_in from;
        memset(&from, 0, sizeof from);
        from.sin_family = AF_INET;
        if (inet_pton(AF_INET, argv[5], &from.sin_addr) != 1) {
            fprintf(stderr, "%s: not an IPv4 address: %s\n", argv[0], argv[5]);
            return 2;
        }
        if (bind(fd, (struct sockaddr *)&from, sizeof from) < 0) {
            perror("bind");
            return 1;
        }
    }
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    char *payload = calloc(BATCH, size > 0 ? size : 1);
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    mmsg_init(msgs, iov, BATCH, payload, size, size);
    for (int i = 0; i < BATCH; i++) {
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof to;
    }
    double start = now();
    long sent = 0;
    while (sent < count) {
        int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
        /* a sequence number in each datagram, for anyone who wants to look */
        for (int i = 0; i < n && size >= 8; i++) {
            long seq = sent + i;
            memcpy(payload + (size_t)i * size, &seq, sizeof seq);
        }
        int r = sendmmsg(fd, msgs, n, 0);
        if (r < 0) {
            if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) {
                continue;
            }
            perror("sendmmsg");
            return 1;
        }
        sent += r;
    }
    double elapsed = now() - start;
    printf("sent %ld datagrams of %d bytes in %.3f s (%.0f/s)\n", sent, size, elapsed, sent / elapsed);
    return 0;
}
