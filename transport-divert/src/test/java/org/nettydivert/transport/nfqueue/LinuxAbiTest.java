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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.nettydivert.testing.CHeaders;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.MsgLayout;
import org.nettydivert.transport.unix.Os;

/**
 * Every number the Linux backend hard-codes, checked against the system headers compiled with
 * gcc at test time. The BSD struct layouts and errno numbers are pinned to {@code docs/ABI.md}
 * by {@code BsdAbiTest}; that file also lists, per constant, the header this test reads it from.
 */
class LinuxAbiTest {
    private static final List<String> HEADERS = List.of(
            "#define _GNU_SOURCE", // struct mmsghdr
            "sys/socket.h",
            "sys/uio.h",
            "netinet/in.h",
            "linux/netlink.h",
            "linux/netfilter.h",
            "linux/netfilter/nfnetlink.h",
            "linux/netfilter/nfnetlink_queue.h",
            "linux/netfilter/nfnetlink_conntrack.h",
            "linux/netfilter/nf_conntrack_common.h",
            "linux/netfilter/xt_connlabel.h",
            "sys/epoll.h",
            "sys/eventfd.h",
            "errno.h");

    /** LinuxAbi field name to the C expression that defines it. */
    private static final Map<String, String> SOCKETS = ordered(
            "AF_INET", "AF_INET",
            "AF_INET6", "AF_INET6",
            "AF_NETLINK", "AF_NETLINK",
            "SOCK_RAW", "SOCK_RAW",
            "SOCK_NONBLOCK", "SOCK_NONBLOCK",
            "SOCK_CLOEXEC", "SOCK_CLOEXEC",
            "IPPROTO_RAW", "IPPROTO_RAW",
            "SOL_SOCKET", "SOL_SOCKET",
            "SO_SNDBUF", "SO_SNDBUF",
            "SO_RCVBUF", "SO_RCVBUF",
            "SO_SNDBUFFORCE", "SO_SNDBUFFORCE",
            "SO_RCVBUFFORCE", "SO_RCVBUFFORCE",
            "SO_MARK", "SO_MARK",
            "MSG_TRUNC", "MSG_TRUNC",
            "MSG_DONTWAIT", "MSG_DONTWAIT",
            "SOCKADDR_IN_SIZE", "sizeof(struct sockaddr_in)",
            "SOCKADDR_IN6_SIZE", "sizeof(struct sockaddr_in6)");

    private static final Map<String, String> NETLINK = ordered(
            "NETLINK_NETFILTER", "NETLINK_NETFILTER",
            "SOL_NETLINK", "SOL_NETLINK",
            "NETLINK_NO_ENOBUFS", "NETLINK_NO_ENOBUFS",
            "SOCKADDR_NL_SIZE", "sizeof(struct sockaddr_nl)",
            "NLMSG_HDRLEN", "NLMSG_HDRLEN",
            "NLMSG_ERROR", "NLMSG_ERROR",
            "NLMSG_DONE", "NLMSG_DONE",
            "NLM_F_REQUEST", "NLM_F_REQUEST",
            "NLM_F_ACK", "NLM_F_ACK",
            "NLA_HDRLEN", "NLA_HDRLEN",
            "NLA_F_NESTED", "NLA_F_NESTED",
            // An int mask in C (~(NLA_F_NESTED | NLA_F_NET_BYTEORDER)); nla_type is 16 bits.
            "NLA_TYPE_MASK", "NLA_TYPE_MASK & 0xFFFF",
            "NFGENMSG_SIZE", "sizeof(struct nfgenmsg)",
            "NFNETLINK_V0", "NFNETLINK_V0",
            "NFNL_SUBSYS_QUEUE", "NFNL_SUBSYS_QUEUE");

    private static final Map<String, String> NFQUEUE = ordered(
            "NFQNL_MSG_PACKET", "NFQNL_MSG_PACKET",
            "NFQNL_MSG_VERDICT", "NFQNL_MSG_VERDICT",
            "NFQNL_MSG_CONFIG", "NFQNL_MSG_CONFIG",
            "NFQNL_MSG_VERDICT_BATCH", "NFQNL_MSG_VERDICT_BATCH",
            "NFQA_CFG_CMD", "NFQA_CFG_CMD",
            "NFQA_CFG_PARAMS", "NFQA_CFG_PARAMS",
            "NFQA_CFG_QUEUE_MAXLEN", "NFQA_CFG_QUEUE_MAXLEN",
            "NFQA_CFG_MASK", "NFQA_CFG_MASK",
            "NFQA_CFG_FLAGS", "NFQA_CFG_FLAGS",
            "NFQNL_CFG_CMD_BIND", "NFQNL_CFG_CMD_BIND",
            "NFQNL_CFG_CMD_UNBIND", "NFQNL_CFG_CMD_UNBIND",
            "NFQNL_COPY_PACKET", "NFQNL_COPY_PACKET",
            "NFQA_CFG_F_FAIL_OPEN", "NFQA_CFG_F_FAIL_OPEN",
            "NFQA_CFG_F_GSO", "NFQA_CFG_F_GSO",
            "CONFIG_CMD_SIZE", "sizeof(struct nfqnl_msg_config_cmd)",
            "CONFIG_PARAMS_SIZE", "sizeof(struct nfqnl_msg_config_params)",
            "NFQA_PACKET_HDR", "NFQA_PACKET_HDR",
            "NFQA_VERDICT_HDR", "NFQA_VERDICT_HDR",
            "NFQA_MARK", "NFQA_MARK",
            "NFQA_IFINDEX_INDEV", "NFQA_IFINDEX_INDEV",
            "NFQA_IFINDEX_OUTDEV", "NFQA_IFINDEX_OUTDEV",
            "NFQA_PAYLOAD", "NFQA_PAYLOAD",
            "NFQA_CAP_LEN", "NFQA_CAP_LEN",
            "NFQA_SKB_INFO", "NFQA_SKB_INFO",
            "NFQA_SKB_CSUMNOTREADY", "NFQA_SKB_CSUMNOTREADY",
            "NFQA_SKB_GSO", "NFQA_SKB_GSO",
            "NFQA_CT", "NFQA_CT",
            "CTA_MARK", "CTA_MARK",
            "CTA_LABELS", "CTA_LABELS",
            "CTA_LABELS_MASK", "CTA_LABELS_MASK",
            "CONNLABELS_SIZE", "(XT_CONNLABEL_MAXBIT + 1) / 8",
            "PACKET_HDR_SIZE", "sizeof(struct nfqnl_msg_packet_hdr)",
            "VERDICT_HDR_SIZE", "sizeof(struct nfqnl_msg_verdict_hdr)");

    private static final Map<String, String> NETFILTER = ordered(
            "NF_DROP", "NF_DROP",
            "NF_ACCEPT", "NF_ACCEPT",
            "NF_QUEUE", "NF_QUEUE",
            "NF_REPEAT", "NF_REPEAT",
            "NF_VERDICT_QBITS", "NF_VERDICT_QBITS",
            "NF_INET_PRE_ROUTING", "NF_INET_PRE_ROUTING",
            "NF_INET_LOCAL_IN", "NF_INET_LOCAL_IN",
            "NF_INET_FORWARD", "NF_INET_FORWARD",
            "NF_INET_LOCAL_OUT", "NF_INET_LOCAL_OUT",
            "NF_INET_POST_ROUTING", "NF_INET_POST_ROUTING");

    private static final Map<String, String> METADATA = ordered(
            "NFQA_TIMESTAMP", "NFQA_TIMESTAMP",
            "NFQA_IFINDEX_PHYSINDEV", "NFQA_IFINDEX_PHYSINDEV",
            "NFQA_IFINDEX_PHYSOUTDEV", "NFQA_IFINDEX_PHYSOUTDEV",
            "NFQA_HWADDR", "NFQA_HWADDR",
            "NFQA_CT_INFO", "NFQA_CT_INFO",
            "NFQA_UID", "NFQA_UID",
            "NFQA_GID", "NFQA_GID",
            "NFQA_SECCTX", "NFQA_SECCTX",
            "NFQA_VLAN", "NFQA_VLAN",
            "NFQA_PRIORITY", "NFQA_PRIORITY",
            "NFQA_VLAN_PROTO", "NFQA_VLAN_PROTO",
            "NFQA_VLAN_TCI", "NFQA_VLAN_TCI",
            "NFQA_CFG_F_CONNTRACK", "NFQA_CFG_F_CONNTRACK",
            "NFQA_CFG_F_UID_GID", "NFQA_CFG_F_UID_GID",
            "NFQA_CFG_F_SECCTX", "NFQA_CFG_F_SECCTX",
            "PACKET_HW_SIZE", "sizeof(struct nfqnl_msg_packet_hw)",
            "PACKET_TIMESTAMP_SIZE", "sizeof(struct nfqnl_msg_packet_timestamp)",
            "CTA_STATUS", "CTA_STATUS",
            "CTA_ID", "CTA_ID",
            "IP_CT_ESTABLISHED", "IP_CT_ESTABLISHED",
            "IP_CT_RELATED", "IP_CT_RELATED",
            "IP_CT_NEW", "IP_CT_NEW",
            "IP_CT_ESTABLISHED_REPLY", "IP_CT_ESTABLISHED_REPLY",
            "IP_CT_RELATED_REPLY", "IP_CT_RELATED_REPLY");

    @Test
    void packetMetadataConstantsAndStructSizesMatchTheHeaders() {
        assertMatches(LinuxAbi.class, METADATA);
    }

    @Test
    void socketConstantsMatchTheHeaders() {
        assertMatches(LinuxAbi.class, SOCKETS);
    }

    @Test
    void netlinkConstantsMatchTheHeaders() {
        assertMatches(LinuxAbi.class, NETLINK);
    }

    @Test
    void nfqueueConstantsAndStructSizesMatchTheHeaders() {
        assertMatches(LinuxAbi.class, NFQUEUE);
    }

    @Test
    void netfilterVerdictsAndHooksMatchTheHeaders() {
        assertMatches(LinuxAbi.class, NETFILTER);
    }

    /**
     * NfqueueSocket composes each message's {@code nlmsg_type} as {@code NFNL_SUBSYS_QUEUE << 8 |
     * NFQNL_MSG_*} and compares received types with it: the header's own split of a type into
     * subsystem and message must give the parts back (docs/ABI.md#netlink-and-nfqueue).
     */
    @Test
    void nfqueueMessageTypeIsTheSubsystemInTheHighByte() {
        Map<String, String> split = new LinkedHashMap<>();
        Map<String, Long> expected = new LinkedHashMap<>();
        int[] messages = {
            LinuxAbi.NFQNL_MSG_PACKET,
            LinuxAbi.NFQNL_MSG_VERDICT,
            LinuxAbi.NFQNL_MSG_CONFIG,
            LinuxAbi.NFQNL_MSG_VERDICT_BATCH
        };
        for (int message : messages) {
            int type = LinuxAbi.NFNL_SUBSYS_QUEUE << 8 | message;
            split.put("subsystem of " + type, "NFNL_SUBSYS_ID(" + type + ")");
            split.put("message of " + type, "NFNL_MSG_TYPE(" + type + ")");
            expected.put("subsystem of " + type, (long) LinuxAbi.NFNL_SUBSYS_QUEUE);
            expected.put("message of " + type, (long) message);
        }

        assertEquals(expected, CHeaders.evaluate(HEADERS, split));
    }

    /** The hand-off verdict is encoded as the header's macro does, up to the largest queue number. */
    @Test
    void theHandOffVerdictIsTheHeadersNfQueueNr() {
        Map<String, String> verdicts = new LinkedHashMap<>();
        Map<String, Long> expected = new LinkedHashMap<>();
        for (int queue : new int[] {0, 1, 9, 0x1234, 65535}) {
            verdicts.put("queue " + queue, "(unsigned int) NF_QUEUE_NR(" + queue + "U)");
            expected.put("queue " + queue, LinuxAbi.nfQueueNr(queue) & 0xFFFF_FFFFL);
        }
        assertEquals(expected, CHeaders.evaluate(HEADERS, verdicts));
    }

    @Test
    void everyLinuxAbiConstantIsCheckedByThisTest() {
        Set<String> checked = new TreeSet<>();
        checked.addAll(SOCKETS.keySet());
        checked.addAll(NETLINK.keySet());
        checked.addAll(NFQUEUE.keySet());
        checked.addAll(NETFILTER.keySet());
        checked.addAll(METADATA.keySet());

        assertEquals(new TreeSet<>(intConstants(LinuxAbi.class).keySet()), checked);
    }

    /**
     * The backend writes and parses these structs field by field with literal offsets (the
     * number after the field name); each is pinned here.
     */
    @Test
    void fieldOffsetsTheBackendWritesByHandMatchTheHeaders() {
        Map<String, String> offsets = ordered(
                "nlmsg_len 0", "offsetof(struct nlmsghdr, nlmsg_len)",
                "nlmsg_type 4", "offsetof(struct nlmsghdr, nlmsg_type)",
                "nlmsg_flags 6", "offsetof(struct nlmsghdr, nlmsg_flags)",
                "nlmsg_seq 8", "offsetof(struct nlmsghdr, nlmsg_seq)",
                "nlmsg_pid 12", "offsetof(struct nlmsghdr, nlmsg_pid)",
                "nlmsgerr.error 0", "offsetof(struct nlmsgerr, error)",
                "nlmsgerr.msg 4", "offsetof(struct nlmsgerr, msg)",
                "nla_len 0", "offsetof(struct nlattr, nla_len)",
                "nla_type 2", "offsetof(struct nlattr, nla_type)",
                "nfgen_family 0", "offsetof(struct nfgenmsg, nfgen_family)",
                "nfgenmsg.version 1", "offsetof(struct nfgenmsg, version)",
                "nfgenmsg.res_id 2", "offsetof(struct nfgenmsg, res_id)",
                "nl_family 0", "offsetof(struct sockaddr_nl, nl_family)",
                "nl_pad 2", "offsetof(struct sockaddr_nl, nl_pad)",
                "nl_pid 4", "offsetof(struct sockaddr_nl, nl_pid)",
                "nl_groups 8", "offsetof(struct sockaddr_nl, nl_groups)",
                "sin_family 0", "offsetof(struct sockaddr_in, sin_family)",
                "sizeof sin_family 2", "sizeof(((struct sockaddr_in *) 0)->sin_family)",
                "sin_port 2", "offsetof(struct sockaddr_in, sin_port)",
                "sin_addr 4", "offsetof(struct sockaddr_in, sin_addr)",
                "sin6_family 0", "offsetof(struct sockaddr_in6, sin6_family)",
                "sin6_port 2", "offsetof(struct sockaddr_in6, sin6_port)",
                "sin6_flowinfo 4", "offsetof(struct sockaddr_in6, sin6_flowinfo)",
                "sin6_addr 8", "offsetof(struct sockaddr_in6, sin6_addr)",
                "sin6_scope_id 24", "offsetof(struct sockaddr_in6, sin6_scope_id)",
                "packet_id 0", "offsetof(struct nfqnl_msg_packet_hdr, packet_id)",
                "hw_protocol 4", "offsetof(struct nfqnl_msg_packet_hdr, hw_protocol)",
                "hook 6", "offsetof(struct nfqnl_msg_packet_hdr, hook)",
                "verdict 0", "offsetof(struct nfqnl_msg_verdict_hdr, verdict)",
                "verdict id 4", "offsetof(struct nfqnl_msg_verdict_hdr, id)",
                "command 0", "offsetof(struct nfqnl_msg_config_cmd, command)",
                "_pad 1", "offsetof(struct nfqnl_msg_config_cmd, _pad)",
                "pf 2", "offsetof(struct nfqnl_msg_config_cmd, pf)",
                "copy_range 0", "offsetof(struct nfqnl_msg_config_params, copy_range)",
                "copy_mode 4", "offsetof(struct nfqnl_msg_config_params, copy_mode)",
                "hw_addrlen 0", "offsetof(struct nfqnl_msg_packet_hw, hw_addrlen)",
                "hw_addr 4", "offsetof(struct nfqnl_msg_packet_hw, hw_addr)",
                "sec 0", "offsetof(struct nfqnl_msg_packet_timestamp, sec)",
                "usec 8", "offsetof(struct nfqnl_msg_packet_timestamp, usec)");

        Map<String, Long> actual = CHeaders.evaluate(HEADERS, offsets);

        Map<String, Long> expected = new LinkedHashMap<>();
        for (String key : offsets.keySet()) {
            expected.put(key, Long.parseLong(key.substring(key.lastIndexOf(' ') + 1)));
        }
        assertEquals(expected, actual);
    }

    @Test
    void epollAndEventfdConstantsMatchTheHeaders() {
        Map<String, String> epoll = ordered(
                "EPOLLIN", "EPOLLIN",
                "EPOLLOUT", "EPOLLOUT",
                "EPOLLERR", "EPOLLERR",
                "EPOLLHUP", "EPOLLHUP",
                "EPOLL_CTL_ADD", "EPOLL_CTL_ADD",
                "EPOLL_CTL_DEL", "EPOLL_CTL_DEL",
                "EPOLL_CTL_MOD", "EPOLL_CTL_MOD",
                "EPOLL_CLOEXEC", "EPOLL_CLOEXEC",
                "EFD_CLOEXEC", "EFD_CLOEXEC",
                "EFD_NONBLOCK", "EFD_NONBLOCK",
                "EVENT_SIZE", "sizeof(struct epoll_event)",
                "EVENT_DATA_OFFSET", "offsetof(struct epoll_event, data)");

        assertMatches(EpollPoller.class, epoll);
        assertEquals(intConstants(EpollPoller.class).keySet(), epoll.keySet(), "every EpollPoller constant is checked");
    }

    @Test
    void epollEventIsPackedToTwelveBytesOnX86_64() {
        assumeTrue(
                System.getProperty("os.arch").equals("amd64"),
                "epoll_event packing test skipped: only x86-64 packs it, this is " + System.getProperty("os.arch"));

        assertEquals(12, EpollPoller.EVENT_SIZE);
        assertEquals(4, EpollPoller.EVENT_DATA_OFFSET);
        assertEquals(12L, CHeaders.value(HEADERS, "sizeof(struct epoll_event)"));
    }

    @Test
    void linuxMsgLayoutMatchesIovecMsghdrAndMmsghdr() {
        Map<String, Long> c = CHeaders.evaluate(
                HEADERS,
                ordered(
                        "iovec", "sizeof(struct iovec)",
                        "iov_base", "offsetof(struct iovec, iov_base)",
                        "iov_len", "offsetof(struct iovec, iov_len)",
                        "msghdr", "sizeof(struct msghdr)",
                        "msg_name", "offsetof(struct msghdr, msg_name)",
                        "msg_namelen", "offsetof(struct msghdr, msg_namelen)",
                        "sizeof msg_namelen", "sizeof(((struct msghdr *) 0)->msg_namelen)",
                        "msg_iov", "offsetof(struct msghdr, msg_iov)",
                        "msg_iovlen", "offsetof(struct msghdr, msg_iovlen)",
                        "sizeof msg_iovlen", "sizeof(((struct msghdr *) 0)->msg_iovlen)",
                        "msg_control", "offsetof(struct msghdr, msg_control)",
                        "msg_controllen", "offsetof(struct msghdr, msg_controllen)",
                        "sizeof msg_controllen", "sizeof(((struct msghdr *) 0)->msg_controllen)",
                        "msg_flags", "offsetof(struct msghdr, msg_flags)",
                        "sizeof msg_flags", "sizeof(((struct msghdr *) 0)->msg_flags)",
                        "mmsghdr", "sizeof(struct mmsghdr)",
                        "msg_hdr", "offsetof(struct mmsghdr, msg_hdr)",
                        "msg_len", "offsetof(struct mmsghdr, msg_len)",
                        "sizeof msg_len", "sizeof(((struct mmsghdr *) 0)->msg_len)"));
        MsgLayout linux = MsgLayout.LINUX;

        Map<String, Long> expected = ordered(
                "iovec", (long) MsgLayout.IOVEC_SIZE,
                "iov_base", (long) MsgLayout.IOV_BASE,
                "iov_len", (long) MsgLayout.IOV_LEN,
                "msghdr", (long) linux.msghdrSize,
                "msg_name", (long) MsgLayout.MSG_NAME,
                "msg_namelen", (long) MsgLayout.MSG_NAMELEN,
                "sizeof msg_namelen", 4L, // MsgArray writes it with setIntLE
                "msg_iov", (long) MsgLayout.MSG_IOV,
                "msg_iovlen", (long) MsgLayout.MSG_IOVLEN,
                "sizeof msg_iovlen", linux.wideLengths ? 8L : 4L,
                "msg_control", (long) MsgLayout.MSG_CONTROL,
                "msg_controllen", (long) MsgLayout.MSG_CONTROLLEN,
                "sizeof msg_controllen", linux.wideLengths ? 8L : 4L,
                "msg_flags", (long) linux.flagsOffset,
                "sizeof msg_flags", 4L,
                "mmsghdr", (long) linux.mmsghdrSize,
                "msg_hdr", 0L,
                "msg_len", (long) linux.msgLenOffset,
                "sizeof msg_len", 4L);
        assertEquals(expected, c);
    }

    @Test
    void linuxErrnoValuesMatchErrnoH() {
        assumeTrue(Os.CURRENT == Os.LINUX, "Linux errno test skipped: Errno holds the values of " + Os.CURRENT);
        Map<String, Integer> errno = intConstants(Errno.class);
        Map<String, String> expressions = new LinkedHashMap<>();
        for (String name : errno.keySet()) {
            expressions.put(name, name);
        }

        assertMatches(Errno.class, expressions);
    }

    @Test
    void errnoNamesEveryValueItDefines() {
        for (Map.Entry<String, Integer> e : intConstants(Errno.class).entrySet()) {
            assertEquals(e.getKey(), Errno.name(e.getValue()));
        }
        assertEquals("errno 12345", Errno.name(12345));
    }

    /**
     * Linux numbers errors differently from the BSDs from 35 up (and EAGAIN, 11 on Linux). A
     * constant numbered differently needs its BSD number in {@code Errno.Bsd}
     * (which {@code BsdAbiTest} pins to {@code docs/ABI.md#errno}, as it does MsgLayout.BSD).
     */
    @Test
    void everyErrnoThatLinuxNumbersAbove34HasABsdNumber() {
        Map<String, Integer> bsd = intConstants(Errno.Bsd.class);
        assumeTrue(Os.CURRENT == Os.LINUX, "Linux errno test skipped: Errno holds the values of " + Os.CURRENT);

        for (Map.Entry<String, Integer> e : intConstants(Errno.class).entrySet()) {
            if (e.getValue() > 34) {
                assertTrue(bsd.containsKey(e.getKey()), e.getKey() + " has no BSD number in Errno.Bsd");
            }
        }
        assertTrue(bsd.containsKey("EAGAIN"), "EAGAIN: 11 on Linux, 35 on the BSDs");
    }

    private static void assertMatches(Class<?> type, Map<String, String> expressions) {
        Map<String, Long> headers = CHeaders.evaluate(HEADERS, expressions);
        Map<String, Integer> constants = intConstants(type);
        Map<String, Long> java = new LinkedHashMap<>();
        for (String name : expressions.keySet()) {
            assertTrue(constants.containsKey(name), type.getSimpleName() + " has no constant " + name);
            java.put(name, (long) constants.get(name));
        }
        assertEquals(headers, java, type.getSimpleName() + " against the system headers");
    }

    /** The non-private static final int fields of {@code type}, by name. */
    private static Map<String, Integer> intConstants(Class<?> type) {
        Map<String, Integer> constants = new LinkedHashMap<>();
        for (Field f : type.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod)
                    && Modifier.isFinal(mod)
                    && !Modifier.isPrivate(mod)
                    && f.getType() == int.class) {
                try {
                    constants.put(f.getName(), f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return constants;
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> ordered(Object... keysAndValues) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return map;
    }
}
