/*
 * (c) libnetfilter_queue with batched I/O: recvmmsg(2) takes up to 64 packet messages per
 * call (blocking for the first only), and one nfq_set_verdict_batch(NF_ACCEPT) for the
 * highest packet id answers all of them in a single sendmsg(2). Verdicts carry no payload.
 *
 * usage: nfq_batch QUEUE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <unistd.h>

#include "bench_common.h"
#include "nfq_common.h"

#define BATCH 64
#define BUF (65536 + 4096)

static long handled;
static uint32_t last_id;
static int have_id;

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
    (void)qh;
    (void)msg;
    (void)data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (ph != NULL) {
        last_id = ntohl(ph->packet_id); /* ids grow: the batch verdict covers all up to the last */
        have_id = 1;
        handled++;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s QUEUE\n", argv[0]);
        return 2;
    }
    struct nfq_handle *h;
    struct nfq_q_handle *qh = open_queue(&h, atoi(argv[1]), on_packet, NULL);
    int fd = nfq_fd(h);
    char *bufs = aligned_alloc(4096, (size_t)BATCH * BUF);
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    mmsg_init(msgs, iov, BATCH, bufs, BUF, BUF);
    while (!stop) {
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR || errno == ENOBUFS) {
                continue;
            }
            perror("recvmmsg");
            break;
        }
        for (int i = 0; i < n; i++) {
            nfq_handle_packet(h, iov[i].iov_base, (int)msgs[i].msg_len);
        }
        if (have_id) {
            nfq_set_verdict_batch(qh, last_id, NF_ACCEPT);
            have_id = 0;
        }
    }
    fprintf(stderr, "nfq_batch: %ld packets\n", handled);
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
