/*
 * (b) The classic libnetfilter_queue loop: one recv(2) per packet message, one
 * nfq_set_verdict(NF_ACCEPT) -- one sendmsg(2) -- per packet, the payload not sent back.
 *
 * usage: nfq_single QUEUE
 */
#include <arpa/inet.h>
#include <unistd.h>

#include "nfq_common.h"

static long handled;

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
    (void)msg;
    (void)data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (ph == NULL) {
        return 0;
    }
    handled++;
    return nfq_set_verdict(qh, ntohl(ph->packet_id), NF_ACCEPT, 0, NULL);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s QUEUE\n", argv[0]);
        return 2;
    }
    struct nfq_handle *h;
    struct nfq_q_handle *qh = open_queue(&h, atoi(argv[1]), on_packet, NULL);
    int fd = nfq_fd(h);
    static char buf[65536 + 4096] __attribute__((aligned(8)));
    while (!stop) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR || errno == ENOBUFS) {
                continue; /* ENOBUFS: the kernel dropped some; go on */
            }
            perror("recv");
            break;
        }
        nfq_handle_packet(h, buf, (int)n);
    }
    fprintf(stderr, "nfq_single: %ld packets\n", handled);
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
