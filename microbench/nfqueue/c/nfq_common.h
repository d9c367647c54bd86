/*
 * Shared set-up of the two libnetfilter_queue reference programs: bind QUEUE in copy-packet
 * mode with a 4096-packet queue (the DivertChannel default) and an 8 MiB receive buffer, and
 * stop cleanly on SIGINT/SIGTERM (recv returns EINTR: no SA_RESTART).
 */
#ifndef NFQ_COMMON_H
#define NFQ_COMMON_H

#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define QUEUE_MAXLEN 4096
#define RCVBUF (8 << 20)

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static void install_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static struct nfq_q_handle *open_queue(struct nfq_handle **h, int queue, nfq_callback *cb, void *data) {
    *h = nfq_open();
    if (*h == NULL) {
        perror("nfq_open");
        exit(1);
    }
    struct nfq_q_handle *qh = nfq_create_queue(*h, queue, cb, data);
    if (qh == NULL) {
        perror("nfq_create_queue");
        exit(1);
    }
    if (nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
        perror("nfq_set_mode");
        exit(1);
    }
    if (nfq_set_queue_maxlen(qh, QUEUE_MAXLEN) < 0) {
        perror("nfq_set_queue_maxlen");
        exit(1);
    }
    int fd = nfq_fd(*h);
    int rcvbuf = RCVBUF;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    install_signals();
    printf("bound queue %d\n", queue);
    fflush(stdout);
    return qh;
}

#endif
