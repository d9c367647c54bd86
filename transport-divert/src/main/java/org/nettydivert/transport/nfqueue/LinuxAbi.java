/*
 * Copyright 2026 The netty-divert Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 *
 *   https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the
 * License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
 * either express or implied. See the License for the specific language governing permissions
 * and limitations under the License.
 */
package org.nettydivert.transport.nfqueue;

/**
 * Linux constants and struct offsets the NFQUEUE backend uses, from {@code <sys/socket.h>},
 * {@code <linux/netlink.h>}, {@code <linux/netfilter/nfnetlink.h>},
 * {@code <linux/netfilter/nfnetlink_queue.h>}, {@code <linux/netfilter/nfnetlink_conntrack.h>},
 * {@code <linux/netfilter/xt_connlabel.h>} and {@code <linux/netfilter.h>}. Every value is
 * checked against the system headers by {@code LinuxAbiTest}.
 */
public final class LinuxAbi {
    private LinuxAbi() {}

    // Sockets.
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_RAW = 255;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_MARK = 36;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int SOCKADDR_IN_SIZE = 16;
    public static final int SOCKADDR_IN6_SIZE = 28;

    // Netlink.
    public static final int NETLINK_NETFILTER = 12;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_NO_ENOBUFS = 5;
    public static final int SOCKADDR_NL_SIZE = 12;
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLM_F_REQUEST = 1;
    public static final int NLM_F_ACK = 4;
    public static final int NLA_HDRLEN = 4;
    public static final int NLA_TYPE_MASK = 0x3FFF;
    /** Set in the type of an attribute that holds attributes (libnetfilter_queue sets it on NFQA_CT). */
    public static final int NLA_F_NESTED = 0x8000;
    /** {@code struct nfgenmsg}: family, version, res_id (big-endian). */
    public static final int NFGENMSG_SIZE = 4;

    public static final int NFNETLINK_V0 = 0;
    public static final int NFNL_SUBSYS_QUEUE = 3;
    public static final int NFQNL_MSG_PACKET = 0;
    public static final int NFQNL_MSG_VERDICT = 1;
    public static final int NFQNL_MSG_CONFIG = 2;
    public static final int NFQNL_MSG_VERDICT_BATCH = 3;

    // Queue configuration.
    public static final int NFQA_CFG_CMD = 1;
    public static final int NFQA_CFG_PARAMS = 2;
    public static final int NFQA_CFG_QUEUE_MAXLEN = 3;
    public static final int NFQA_CFG_MASK = 4;
    public static final int NFQA_CFG_FLAGS = 5;
    public static final int NFQNL_CFG_CMD_BIND = 1;
    public static final int NFQNL_CFG_CMD_UNBIND = 2;
    public static final int NFQNL_COPY_PACKET = 2;
    public static final int NFQA_CFG_F_FAIL_OPEN = 1;
    /** Large (GSO) packets are queued whole instead of segmented in software first. */
    public static final int NFQA_CFG_F_GSO = 4;
    /** {@code struct nfqnl_msg_config_cmd}: command, pad, pf (big-endian). */
    public static final int CONFIG_CMD_SIZE = 4;
    /** {@code struct nfqnl_msg_config_params} (packed): copy_range (big-endian), copy_mode. */
    public static final int CONFIG_PARAMS_SIZE = 5;

    // Packet attributes.
    public static final int NFQA_PACKET_HDR = 1;
    public static final int NFQA_VERDICT_HDR = 2;
    public static final int NFQA_MARK = 3;
    public static final int NFQA_IFINDEX_INDEV = 5;
    public static final int NFQA_IFINDEX_OUTDEV = 6;
    public static final int NFQA_PAYLOAD = 10;
    public static final int NFQA_CAP_LEN = 13;
    public static final int NFQA_SKB_INFO = 14;
    public static final int NFQA_CT = 11;
    public static final int NFQA_SKB_CSUMNOTREADY = 1;
    public static final int NFQA_SKB_GSO = 2;

    // Conntrack attributes, nested in NFQA_CT of a verdict.
    public static final int CTA_MARK = 8;
    public static final int CTA_LABELS = 22;
    public static final int CTA_LABELS_MASK = 23;
    /**
     * The bytes of CTA_LABELS and its mask: labels 0..XT_CONNLABEL_MAXBIT (127), what the kernel
     * keeps per connection (NF_CT_LABELS_MAX_SIZE).
     */
    public static final int CONNLABELS_SIZE = 16;
    /** {@code struct nfqnl_msg_packet_hdr} (packed): packet_id (big-endian), hw_protocol, hook. */
    public static final int PACKET_HDR_SIZE = 7;
    /** {@code struct nfqnl_msg_verdict_hdr}: verdict, id (both big-endian). */
    public static final int VERDICT_HDR_SIZE = 8;

    // Netfilter.
    public static final int NF_DROP = 0;
    public static final int NF_ACCEPT = 1;
    public static final int NF_QUEUE = 3;
    public static final int NF_REPEAT = 4;
    /** NF_QUEUE's queue number is in the verdict's high bits: {@code NF_QUEUE_NR(x)}. */
    public static final int NF_VERDICT_QBITS = 16;

    public static final int NF_INET_PRE_ROUTING = 0;
    public static final int NF_INET_LOCAL_IN = 1;
    public static final int NF_INET_FORWARD = 2;
    public static final int NF_INET_LOCAL_OUT = 3;
    public static final int NF_INET_POST_ROUTING = 4;

    // Packet metadata: the attributes a packet message may carry beside id, mark and payload,
    // the flags that ask the kernel for some of them, and what the nested ones hold.
    public static final int NFQA_TIMESTAMP = 4;
    public static final int NFQA_IFINDEX_PHYSINDEV = 7;
    public static final int NFQA_IFINDEX_PHYSOUTDEV = 8;
    public static final int NFQA_HWADDR = 9;
    public static final int NFQA_CT_INFO = 12;
    public static final int NFQA_UID = 16;
    public static final int NFQA_GID = 17;
    public static final int NFQA_SECCTX = 18;
    public static final int NFQA_VLAN = 19;
    public static final int NFQA_PRIORITY = 21;
    public static final int NFQA_VLAN_PROTO = 1;
    public static final int NFQA_VLAN_TCI = 2;
    public static final int NFQA_CFG_F_CONNTRACK = 2;
    public static final int NFQA_CFG_F_UID_GID = 8;
    public static final int NFQA_CFG_F_SECCTX = 0x10;
    /** {@code struct nfqnl_msg_packet_hw}: hw_addrlen (big-endian), pad, hw_addr[8]. */
    public static final int PACKET_HW_SIZE = 12;
    /** {@code struct nfqnl_msg_packet_timestamp}: sec, usec (both 64-bit big-endian). */
    public static final int PACKET_TIMESTAMP_SIZE = 16;
    // Inside NFQA_CT (linux/netfilter/nfnetlink_conntrack.h), all 32-bit big-endian.
    public static final int CTA_STATUS = 3;
    public static final int CTA_ID = 12;
    // enum ip_conntrack_info (linux/netfilter/nf_conntrack_common.h), the value of NFQA_CT_INFO.
    public static final int IP_CT_ESTABLISHED = 0;
    public static final int IP_CT_RELATED = 1;
    public static final int IP_CT_NEW = 2;
    public static final int IP_CT_ESTABLISHED_REPLY = 3;
    public static final int IP_CT_RELATED_REPLY = 4;

    /** The verdict {@code NF_QUEUE_NR(queue)}: NF_QUEUE to queue {@code queue}. */
    public static int nfQueueNr(int queue) {
        return queue << NF_VERDICT_QBITS | NF_QUEUE;
    }

    public static int align4(int length) {
        return (length + 3) & ~3;
    }
}
