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
package org.nettydivert.transport;

import static org.nettydivert.transport.LinuxAbi.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Linux: a DivertChannel bound to an NFQUEUE queue, speaking nfnetlink_queue directly over a
 * netlink socket, plus raw sockets for injected packets.
 *
 * <p>Reading: recvmmsg fills one pooled direct buffer per netlink message; each packet's content
 * is a {@link VerdictBuf} over a copy of the payload (up to 16 KiB) or over the payload bytes
 * inside that buffer. Writing back: one NF_ACCEPT verdict message per packet, carrying the
 * payload (its iovec points at the packet's own memory) unless the packet is as read, in which
 * case the kernel's copy goes on; a batch of plain accepts of the oldest waiting packets becomes
 * one batch verdict. The messages of a batch go out in one sendmsg, which the kernel processes
 * in order before it returns. Every packet read gets exactly one verdict: NF_ACCEPT when
 * written; NF_DROP once its buffer is released unwritten (sent after the read loop, so that a
 * packet whose content was replaced and written in the same loop is not dropped), when it
 * outlives the verdict timeout, or when it must make room in a full {@link VerdictTable}.
 */
final class NfqueueSocket extends DivertSocket implements VerdictBuf.Owner {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(NfqueueSocket.class);

    private static final int VERDICT_TYPE = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_VERDICT;
    private static final int VERDICT_BATCH_TYPE = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_VERDICT_BATCH;
    private static final int CONFIG_TYPE = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_CONFIG;
    private static final int PACKET_TYPE = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET;
    /** nlmsghdr, nfgenmsg, verdict header, mark, payload attribute header. */
    private static final int VERDICT_HEADER =
            NLMSG_HDRLEN + NFGENMSG_SIZE + NLA_HDRLEN + VERDICT_HDR_SIZE + NLA_HDRLEN + 4 + NLA_HDRLEN;

    private static final int BARE_VERDICT = NLMSG_HDRLEN + NFGENMSG_SIZE + NLA_HDRLEN + VERDICT_HDR_SIZE;
    /** Netlink and nfqueue headers before the payload of a packet message, generously. */
    private static final int MESSAGE_OVERHEAD = 512;
    /**
     * Payloads up to this size are copied out of the receive slot into a buffer of their own
     * size (a pooled size class of Netty's allocators), so that the slot, sized for the largest
     * packet, stays with the socket for the next read. Larger payloads keep the slot.
     */
    private static final int COPY_LIMIT = 16384;

    private static final int MIN_SEND_BUFFER = 4 << 20;
    private static final int IFACE_CACHE_NANOS = 1_000_000_000;
    /**
     * The most packet bytes a netlink attribute can carry (its length is 16 bits, header
     * included): the kernel copies no more of a packet, whatever copy range was asked for.
     */
    private static final int MAX_COPY_RANGE = 0xFFFF - NLA_HDRLEN;
    /** Marks an own verdict for a packet no longer in the table (expired, evicted, never tracked). */
    private static final int FORCED = 0x100;

    private final DivertChannel channel;
    private final int queue;
    private final int fd;
    private final int raw4;
    private final int raw6;
    private final IOException rawFailure;
    private final int[] fds;
    private final int slotSize;
    private final int batchSize;

    private final int sendLimit;
    private final ByteBuf[] slots;
    private final MsgArray receive;
    private final MsgArray send;
    private final ByteBuf headers;
    private final ByteBuf zeros = Unpooled.directBuffer(4).writeZero(4);
    private final ByteBuf scratch = Unpooled.directBuffer(64);
    private final VerdictTable table;
    private final long[] batchIds;
    private final long timeoutNanos;
    private final ScheduledFuture<?> timeoutTask;
    private final IntObjectMap<Interface> interfaces = new IntObjectHashMap<>();
    private long interfacesFetched;

    // Packets that need a verdict of our own (NF_DROP, NF_REPEAT): ids and verdicts.
    private long[] ownIds = new long[64];
    private int[] ownVerdicts = new int[64];
    private int ownCount;
    private final long[] ownSent;

    private int blockedFd = -1;
    private volatile boolean closed;
    private long releaseDrops;
    private long timeoutDrops;
    private long overflows;
    private long reinjectedUnchanged;
    private long batchVerdicts;
    private long packetsTruncated;
    private final KernelQueueCounters kernelCounters;
    // The verdicts batched for the next send: how many are for packets as read, and whether all
    // are plain accepts (no payload, no mark).
    private int batchAsRead;
    private boolean batchPlain;

    private NfqueueSocket(DivertChannel channel, int queue, int fd, int raw4, int raw6, IOException rawFailure)
            throws IOException {
        this.channel = channel;
        this.queue = queue;
        this.fd = fd;
        this.raw4 = raw4;
        this.raw6 = raw6;
        this.rawFailure = rawFailure;
        this.fds = raw4 >= 0 ? (raw6 >= 0 ? new int[] {fd, raw4, raw6} : new int[] {fd, raw4}) : new int[] {fd};
        DivertChannelConfig config = channel.config();
        slotSize = config.getMaxPacketSize() + MESSAGE_OVERHEAD;
        batchSize = config.getBatchSize();
        slots = new ByteBuf[batchSize];
        receive = new MsgArray(MsgLayout.LINUX, batchSize, batchSize);
        // A verdict is up to three iovecs (headers, payload, padding); own verdicts one.
        send = new MsgArray(MsgLayout.LINUX, 1, 3 * batchSize + 256);
        headers = Unpooled.directBuffer((batchSize + 256) * VERDICT_HEADER);
        table = new VerdictTable(config.getQueueMaxlen());
        batchIds = new long[batchSize];
        kernelCounters = KernelQueueCounters.ofCallingThread(queue);
        ownSent = new long[3 * batchSize + 256];
        sendLimit = sendBufferSize(fd) - 64;
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.getVerdictTimeoutMillis());
        long period = Math.max(10, Math.min(1000, config.getVerdictTimeoutMillis() / 4));
        EventLoop loop = channel.eventLoop();
        timeoutTask = loop.scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    static NfqueueSocket open(DivertChannel channel, DivertAddress address) throws IOException {
        DivertChannelConfig config = channel.config();
        int queue = address.port();
        int fd = Native.Posix.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        if (fd < 0) {
            int errno = Native.errno();
            throw Errors.newException(
                    "socket(AF_NETLINK, NETLINK_NETFILTER)",
                    errno,
                    errno == Errno.EPROTONOSUPPORT || errno == Errno.EAFNOSUPPORT
                            ? "this kernel has no nfnetlink: load it with modprobe nfnetlink_queue"
                            : null);
        }
        int raw4 = -1;
        int raw6 = -1;
        try {
            ByteBuf scratch = Unpooled.directBuffer(64);
            try {
                scratch.setShortLE(0, AF_NETLINK);
                scratch.setShortLE(2, 0);
                scratch.setIntLE(4, 0); // the kernel assigns our port id
                scratch.setIntLE(8, 0);
                Errors.check("bind(AF_NETLINK)", Native.Posix.bind(fd, scratch.memoryAddress(), SOCKADDR_NL_SIZE));
                int rcvbuf = config.getReceiveBufferSize() > 0
                        ? config.getReceiveBufferSize()
                        : Math.min(64 << 20, config.getQueueMaxlen() * 2048);
                setBufferSize(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf, scratch);
                setBufferSize(
                        fd, SO_SNDBUFFORCE, SO_SNDBUF, Math.max(config.getSendBufferSize(), MIN_SEND_BUFFER), scratch);
                if (config.isNoEnobufs()) {
                    scratch.setIntLE(0, 1);
                    Errors.check(
                            "setsockopt(NETLINK_NO_ENOBUFS)",
                            Native.Posix.setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, scratch.memoryAddress(), 4));
                }
                configure(fd, queue, config);
            } finally {
                scratch.release();
            }
            IOException rawFailure = null;
            try {
                raw4 = openRawSocket(AF_INET, config.getInjectMark());
                raw6 = openRawSocket(AF_INET6, config.getInjectMark());
            } catch (IOException e) {
                // Reading and reinjecting work without them; injecting new packets will say why not.
                rawFailure = e;
            }
            return new NfqueueSocket(channel, queue, fd, raw4, raw6, rawFailure);
        } catch (Throwable t) {
            Native.Posix.close(fd);
            if (raw4 >= 0) {
                Native.Posix.close(raw4);
            }
            if (raw6 >= 0) {
                Native.Posix.close(raw6);
            }
            throw t;
        }
    }

    private static void setBufferSize(int fd, int forced, int plain, int bytes, ByteBuf scratch)
            throws DivertIOException {
        scratch.setIntLE(0, bytes);
        // The FORCE variant (CAP_NET_ADMIN, which binding a queue needs anyway) passes the sysctl maximum.
        if (Native.Posix.setsockopt(fd, SOL_SOCKET, forced, scratch.memoryAddress(), 4) < 0) {
            Errors.check(
                    "setsockopt(SOL_SOCKET, " + (plain == SO_RCVBUF ? "SO_RCVBUF" : "SO_SNDBUF") + ")",
                    Native.Posix.setsockopt(fd, SOL_SOCKET, plain, scratch.memoryAddress(), 4));
        }
    }

    private static int sendBufferSize(int fd) throws DivertIOException {
        ByteBuf scratch = Unpooled.directBuffer(8);
        try {
            scratch.setIntLE(0, 0);
            scratch.setIntLE(4, 4);
            Errors.check(
                    "getsockopt(SO_SNDBUF)",
                    Native.Posix.getsockopt(
                            fd, SOL_SOCKET, SO_SNDBUF, scratch.memoryAddress(), scratch.memoryAddress() + 4));
            return scratch.getIntLE(0);
        } finally {
            scratch.release();
        }
    }

    /**
     * Binds the queue and sets copy mode, length and flags, in one datagram of four requests
     * that the kernel acknowledges one by one; the first refusal is the error.
     */
    private static void configure(int fd, int queue, DivertChannelConfig config) throws IOException {
        ByteBuf request = Unpooled.directBuffer(256);
        ByteBuf reply = Unpooled.directBuffer(8192);
        try {
            int seq = 1;
            int start = beginMessage(request, CONFIG_TYPE, NLM_F_REQUEST | NLM_F_ACK, seq++, queue);
            putAttribute(request, NFQA_CFG_CMD, CONFIG_CMD_SIZE);
            request.writeByte(NFQNL_CFG_CMD_BIND).writeByte(0).writeShort(0);
            endMessage(request, start);

            start = beginMessage(request, CONFIG_TYPE, NLM_F_REQUEST | NLM_F_ACK, seq++, queue);
            putAttribute(request, NFQA_CFG_PARAMS, CONFIG_PARAMS_SIZE);
            request.writeInt(config.getMaxPacketSize()).writeByte(NFQNL_COPY_PACKET);
            alignWriter(request);
            endMessage(request, start);

            start = beginMessage(request, CONFIG_TYPE, NLM_F_REQUEST | NLM_F_ACK, seq++, queue);
            putAttribute(request, NFQA_CFG_QUEUE_MAXLEN, 4);
            request.writeInt(config.getQueueMaxlen());
            endMessage(request, start);

            start = beginMessage(request, CONFIG_TYPE, NLM_F_REQUEST | NLM_F_ACK, seq++, queue);
            putAttribute(request, NFQA_CFG_FLAGS, 4);
            request.writeInt(config.isFailOpen() ? NFQA_CFG_F_FAIL_OPEN : 0);
            putAttribute(request, NFQA_CFG_MASK, 4);
            request.writeInt(NFQA_CFG_F_FAIL_OPEN);
            endMessage(request, start);

            long sent = Native.Posix.sendto(fd, request.memoryAddress(), request.readableBytes(), 0, 0, 0);
            if (sent < 0) {
                throw Errors.newException("sendto(NFQNL_MSG_CONFIG)");
            }
            int acknowledged = 0;
            while (acknowledged < seq - 1) {
                long n = Native.Posix.recvfrom(fd, reply.memoryAddress(), reply.capacity(), 0, 0, 0);
                if (n < 0) {
                    if (Native.errno() == Errno.EINTR) {
                        continue;
                    }
                    throw Errors.newException("recvfrom(NFQNL_MSG_CONFIG)");
                }
                for (int m = 0; m + NLMSG_HDRLEN <= n; ) {
                    int length = reply.getIntLE(m);
                    if (length < NLMSG_HDRLEN) {
                        break;
                    }
                    int type = reply.getUnsignedShortLE(m + 4);
                    if (type == NLMSG_ERROR) {
                        int error = -reply.getIntLE(m + NLMSG_HDRLEN);
                        if (error != 0) {
                            throw configError(error, queue, reply.getIntLE(m + NLMSG_HDRLEN + 4 + 8));
                        }
                        acknowledged++;
                    }
                    // A packet queued before the copy mode was set would come without its payload:
                    // NF_REPEAT sends it through the hook again, to be queued again, in full.
                    if (type == PACKET_TYPE) {
                        long id = packetId(reply, m, length);
                        if (id >= 0) {
                            sendBareVerdict(fd, queue, id, NF_REPEAT);
                        }
                    }
                    m += align4(length);
                }
            }
        } finally {
            request.release();
            reply.release();
        }
    }

    private static DivertIOException configError(int errno, int queue, int seq) {
        String what = seq == 1 ? "binding NFQUEUE " + queue : "configuring NFQUEUE " + queue;
        String hint;
        if (errno == Errno.EPERM && seq == 1 && isQueueBound(queue)) {
            // The kernel answers EPERM, not EBUSY, when another socket holds the queue.
            hint = "NFQUEUE " + queue + " is in use: already bound by another socket in this network namespace"
                    + " (see /proc/net/netfilter/nfnetlink_queue); use another --queue-num";
        } else if (errno == Errno.EPERM || errno == Errno.EACCES) {
            hint = what + " needs root or CAP_NET_ADMIN";
        } else if (errno == Errno.EBUSY) {
            hint = "NFQUEUE " + queue + " is already bound by another process in this network namespace"
                    + " (see /proc/net/netfilter/nfnetlink_queue); use another --queue-num";
        } else if (errno == Errno.EOPNOTSUPP || errno == Errno.ENOENT) {
            hint = what + ": the kernel has no nfnetlink_queue: load it with modprobe nfnetlink_queue";
        } else {
            hint = what;
        }
        return Errors.newException("NFQNL_MSG_CONFIG", errno, hint);
    }

    /** Whether some socket has bound {@code queue} in the calling thread's network namespace. */
    private static boolean isQueueBound(int queue) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/net/netfilter/nfnetlink_queue"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields[0].equals(String.valueOf(queue))) {
                    return true;
                }
            }
        } catch (IOException e) {
            // Unknown: the caller falls back to the usual reason for EPERM.
        }
        return false;
    }

    private static int openRawSocket(int family, int mark) throws IOException {
        int fd = Native.Posix.socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
        if (fd < 0) {
            int errno = Native.errno();
            throw Errors.newException(
                    family == AF_INET ? "socket(AF_INET, SOCK_RAW)" : "socket(AF_INET6, SOCK_RAW)",
                    errno,
                    errno == Errno.EPERM ? "injecting packets needs root or CAP_NET_RAW" : null);
        }
        if (mark != 0) {
            ByteBuf value = Unpooled.directBuffer(4).writeIntLE(mark);
            try {
                if (Native.Posix.setsockopt(fd, SOL_SOCKET, SO_MARK, value.memoryAddress(), 4) < 0) {
                    DivertIOException e = Errors.newException("setsockopt(SO_MARK)");
                    Native.Posix.close(fd);
                    throw e;
                }
            } finally {
                value.release();
            }
        }
        return fd;
    }

    // ---- netlink message building

    private static int beginMessage(ByteBuf out, int type, int flags, int seq, int queue) {
        int start = out.writerIndex();
        out.writeIntLE(0).writeShortLE(type).writeShortLE(flags).writeIntLE(seq).writeIntLE(0);
        out.writeByte(0).writeByte(NFNETLINK_V0).writeShort(queue); // nfgenmsg: AF_UNSPEC, res_id big-endian
        return start;
    }

    private static void putAttribute(ByteBuf out, int type, int payloadLength) {
        out.writeShortLE(NLA_HDRLEN + payloadLength).writeShortLE(type);
    }

    private static void alignWriter(ByteBuf out) {
        while ((out.writerIndex() & 3) != 0) {
            out.writeByte(0);
        }
    }

    private static void endMessage(ByteBuf out, int start) {
        alignWriter(out);
        out.setIntLE(start, out.writerIndex() - start);
    }

    private static void sendBareVerdict(int fd, int queue, long id, int verdict) throws DivertIOException {
        ByteBuf message = Unpooled.directBuffer(BARE_VERDICT);
        try {
            putBareVerdict(message, queue, id, verdict);
            if (Native.Posix.sendto(fd, message.memoryAddress(), message.readableBytes(), 0, 0, 0) < 0) {
                throw Errors.newException("sendto(NFQNL_MSG_VERDICT)");
            }
        } finally {
            message.release();
        }
    }

    private static void putBareVerdict(ByteBuf out, int queue, long id, int verdict) {
        int start = beginMessage(out, VERDICT_TYPE, NLM_F_REQUEST, (int) id, queue);
        putAttribute(out, NFQA_VERDICT_HDR, VERDICT_HDR_SIZE);
        out.writeInt(verdict).writeInt((int) id);
        endMessage(out, start);
    }

    /** The packet id of the packet message at {@code m}, or -1. */
    private static long packetId(ByteBuf buf, int m, int length) {
        for (int a = m + NLMSG_HDRLEN + NFGENMSG_SIZE; a + NLA_HDRLEN <= m + length; ) {
            int attrLength = buf.getUnsignedShortLE(a);
            if (attrLength < NLA_HDRLEN) {
                break;
            }
            if ((buf.getUnsignedShortLE(a + 2) & NLA_TYPE_MASK) == NFQA_PACKET_HDR) {
                return buf.getUnsignedInt(a + NLA_HDRLEN);
            }
            a += align4(attrLength);
        }
        return -1;
    }

    // ---- DivertSocket

    @Override
    int[] fds() {
        return fds;
    }

    @Override
    boolean isReadable(int fd) {
        return fd == this.fd;
    }

    @Override
    int read(int readFd, ByteBufAllocator allocator, DivertPacket[] out) throws IOException {
        if (closed) {
            return WOULD_BLOCK;
        }
        receive.clear();
        for (int i = 0; i < batchSize; i++) {
            if (slots[i] == null) {
                slots[i] = allocator.directBuffer(slotSize, slotSize);
            }
            receive.addMessage(0);
            receive.addIovec(slots[i].memoryAddress(), slotSize);
        }
        int received = Native.Mmsg.recvmmsg(fd, receive.address(), batchSize, MSG_DONTWAIT, 0);
        if (received < 0) {
            int errno = Native.errno();
            if (errno == Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (errno == Errno.ENOBUFS) {
                // The kernel could not deliver some packets (they were dropped, or accepted with
                // FAIL_OPEN): counted, and reading goes on.
                overflows++;
                return 0;
            }
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw Errors.newException("recvmmsg");
        }
        long now = System.nanoTime();
        int count = 0;
        for (int i = 0; i < received; i++) {
            ByteBuf slot = slots[i];
            int length = receive.messageLength(i);
            count = parse(slot, length, now, out, count, allocator);
            if (slot.refCnt() > 1) {
                // Packets hold the buffer now; the next read gets a fresh one.
                slot.release();
                slots[i] = null;
            }
        }
        return count;
    }

    /** Parses the netlink messages of one datagram; returns the new packet count in {@code out}. */
    private int parse(ByteBuf slot, int length, long now, DivertPacket[] out, int count, ByteBufAllocator allocator)
            throws IOException {
        for (int m = 0; m + NLMSG_HDRLEN <= length; ) {
            int messageLength = slot.getIntLE(m);
            if (messageLength < NLMSG_HDRLEN || m + messageLength > length) {
                break;
            }
            int type = slot.getUnsignedShortLE(m + 4);
            if (type == PACKET_TYPE) {
                if (count < out.length) {
                    DivertPacket packet = packet(slot, m, messageLength, now, allocator);
                    if (packet != null) {
                        out[count++] = packet;
                    }
                } else {
                    // More packets in one datagram than the batch holds: let the kernel queue it again.
                    queueOwnVerdict(packetId(slot, m, messageLength), NF_REPEAT | FORCED);
                }
            } else if (type == NLMSG_ERROR) {
                int errno = -slot.getIntLE(m + NLMSG_HDRLEN);
                if (errno != 0) {
                    long id = slot.getUnsignedIntLE(m + NLMSG_HDRLEN + 4 + 8);
                    channel.pipeline()
                            .fireExceptionCaught(Errors.newException(
                                    "NFQNL_MSG_VERDICT", errno, "the kernel refused the verdict for packet id " + id));
                }
            }
            m += align4(messageLength);
        }
        return count;
    }

    private DivertPacket packet(ByteBuf slot, int m, int messageLength, long now, ByteBufAllocator allocator)
            throws IOException {
        long id = -1;
        int hook = -1;
        int mark = 0;
        int inIndex = 0;
        int outIndex = 0;
        int payload = -1;
        int payloadLength = 0;
        int skbInfo = 0;
        int wholeLength = 0; // sent only when the payload is cut short
        int end = m + messageLength;
        for (int a = m + NLMSG_HDRLEN + NFGENMSG_SIZE; a + NLA_HDRLEN <= end; ) {
            int attrLength = slot.getUnsignedShortLE(a);
            if (attrLength < NLA_HDRLEN || a + attrLength > end) {
                break;
            }
            int data = a + NLA_HDRLEN;
            switch (slot.getUnsignedShortLE(a + 2) & NLA_TYPE_MASK) {
                case NFQA_PACKET_HDR:
                    id = slot.getUnsignedInt(data);
                    hook = slot.getUnsignedByte(data + 6);
                    break;
                case NFQA_MARK:
                    mark = slot.getInt(data);
                    break;
                case NFQA_IFINDEX_INDEV:
                    inIndex = slot.getInt(data);
                    break;
                case NFQA_IFINDEX_OUTDEV:
                    outIndex = slot.getInt(data);
                    break;
                case NFQA_PAYLOAD:
                    payload = data;
                    payloadLength = attrLength - NLA_HDRLEN;
                    break;
                case NFQA_CAP_LEN:
                    wholeLength = slot.getInt(data);
                    break;
                case NFQA_SKB_INFO:
                    skbInfo = slot.getInt(data);
                    break;
                default:
                    break;
            }
            a += align4(attrLength);
        }
        if (id < 0) {
            return null;
        }
        if (payload < 0) {
            queueOwnVerdict(id, NF_REPEAT | FORCED);
            return null;
        }
        if ((skbInfo & NFQA_SKB_CSUMNOTREADY) != 0 && IpPackets.malformation(slot, payload, payloadLength) == null) {
            IpPackets.completeTransportChecksum(slot, payload, payloadLength);
        }
        long evicted = table.add(id, now);
        if (evicted != VerdictTable.NONE) {
            timeoutDrops++;
            queueOwnVerdict(evicted, NF_DROP | FORCED);
        }
        boolean inbound = hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN || hook == NF_INET_FORWARD;
        Interface iface = lookup(inbound ? inIndex : outIndex, now);
        DivertAddress address = new DivertAddress(
                queue,
                inbound ? DivertAddress.Direction.INBOUND : DivertAddress.Direction.OUTBOUND,
                iface == null ? null : iface.name,
                iface == null ? null : iface.address,
                id,
                mark);
        int truncatedFrom = wholeLength > payloadLength ? wholeLength : 0;
        if (truncatedFrom > 0) {
            truncated(id, payloadLength, wholeLength);
        }
        if (payloadLength > COPY_LIMIT) {
            return new DivertPacket(
                    new VerdictBuf(this, id, mark, slot, payload, payloadLength), address, truncatedFrom);
        }
        ByteBuf copy = allocator.directBuffer(payloadLength, payloadLength);
        try {
            copy.writeBytes(slot, payload, payloadLength);
            return new DivertPacket(new VerdictBuf(this, id, mark, copy, 0, payloadLength), address, truncatedFrom);
        } finally {
            copy.release(); // the VerdictBuf holds it now
        }
    }

    private void truncated(long id, int copied, int whole) {
        if (packetsTruncated++ == 0) {
            logger.warn(
                    "NFQUEUE {}: packet id {} is {} bytes long and was read truncated to {}: the kernel copies at most"
                            + " DivertChannelOption.MAX_PACKET_SIZE ({}) bytes of a packet, and never more than {}."
                            + " DivertPacket.isTruncated() says so; written back unchanged such a packet passes"
                            + " whole. Further truncated packets are counted in DivertStats.packetsTruncated()"
                            + " without a log line.",
                    queue,
                    id,
                    whole,
                    copied,
                    channel.config().getMaxPacketSize(),
                    MAX_COPY_RANGE);
        }
    }

    @Override
    int write(DivertPacket[] packets, int count, Throwable[] failures) throws IOException {
        int batchStart = 0; // first packet whose verdict is in the unsent batch
        int batched = 0;
        int bytes = 0;
        beginBatch();
        for (int i = 0; i < count; i++) {
            DivertPacket packet = packets[i];
            DivertAddress address = packet.address();
            ByteBuf content = packet.content();
            int offset = content.readerIndex();
            int length = content.readableBytes();
            if (!address.hasTag()) {
                // Injection leaves through another socket: what is batched goes first, to keep order.
                if (batched > 0) {
                    if (!sendBatch(packets, batchStart, batched, failures)) {
                        return blocked(batchStart, count, failures);
                    }
                    batched = 0;
                    bytes = 0;
                    beginBatch();
                }
                if (!inject(packet, IpPackets.malformation(content, offset, length), failures, i)) {
                    return blocked(i, count, failures);
                }
                batchStart = i + 1;
                continue;
            }
            // Bytes as the kernel gave them need not go back: its own copy is the packet (whole,
            // even when we were given only its first bytes).
            VerdictBuf asRead = content instanceof VerdictBuf && ((VerdictBuf) content).isUnchanged(this, address.tag())
                    ? (VerdictBuf) content
                    : null;
            boolean withPayload = asRead == null;
            Throwable refusal = refusal(packet, batched, withPayload);
            if (refusal != null) {
                failures[i] = refusal;
                if (batched == 0) {
                    batchStart = i + 1;
                }
                continue;
            }
            if (withPayload) {
                IpPackets.updateIpv4HeaderChecksum(content, offset);
            }
            boolean withMark = asRead == null || address.mark() != asRead.mark();
            int messageBytes = withPayload ? VERDICT_HEADER + align4(length) : VERDICT_HEADER;
            if (batched > 0 && (bytes + messageBytes > sendLimit || send.iovecsLeft() < 3)) {
                if (!sendBatch(packets, batchStart, batched, failures)) {
                    return blocked(batchStart, count, failures);
                }
                batchStart = i;
                batched = 0;
                bytes = 0;
                beginBatch();
            }
            if (batched == 0) {
                batchStart = i;
            }
            appendVerdict(address, content, offset, withPayload ? length : -1, withMark);
            batchIds[batched++] = address.tag();
            bytes += messageBytes;
            if (asRead != null) {
                batchAsRead++;
                batchPlain &= !withMark;
            } else {
                batchPlain = false;
            }
            // Packets refused between batched ones keep their failure; sendBatch skips them.
        }
        if (batched > 0 && !sendBatch(packets, batchStart, batched, failures)) {
            return blocked(batchStart, count, failures);
        }
        return count;
    }

    /** Stops a write at {@code index}: what follows is tried again later, so its failures are forgotten. */
    private static int blocked(int index, int count, Throwable[] failures) {
        Arrays.fill(failures, index, count, null);
        return index;
    }

    /**
     * Why a read packet cannot be written back now, or null. {@code batched} verdicts of this
     * write are not sent yet: their packets are still in the table, but already answered.
     */
    private Throwable refusal(DivertPacket packet, int batched, boolean withPayload) {
        DivertAddress address = packet.address();
        if (address.port() != queue) {
            return new IllegalArgumentException("the packet was read from NFQUEUE " + address.port()
                    + " and can only be written back through that queue's channel, not queue " + queue);
        }
        if (!table.contains(address.tag()) || isBatched(address.tag(), batched)) {
            return Errors.newException(
                    "NFQNL_MSG_VERDICT",
                    Errno.ENOENT,
                    "packet id " + address.tag()
                            + " has no verdict pending: it was already written, or dropped because it was released"
                            + " or held longer than VERDICT_TIMEOUT_MILLIS");
        }
        if (!withPayload) {
            return null;
        }
        if (packet.isTruncated()) {
            // The kernel would take the bytes we have for the whole packet and cut it short.
            return Errors.newException(
                    "NFQNL_MSG_VERDICT",
                    Errno.EINVAL,
                    "packet id " + address.tag() + " was read truncated ("
                            + packet.content().readableBytes()
                            + " of its " + packet.originalLength() + " bytes) and then changed: a truncated"
                            + " packet can only be written back unchanged, or released to drop it");
        }
        ByteBuf content = packet.content();
        String malformation = IpPackets.malformation(content, content.readerIndex(), content.readableBytes());
        return malformation == null ? null : Errors.newException("NFQNL_MSG_VERDICT", Errno.EINVAL, malformation);
    }

    /** Whether packet {@code id} has a verdict among the first {@code batched} of the unsent batch. */
    private boolean isBatched(long id, int batched) {
        for (int i = 0; i < batched; i++) {
            if (batchIds[i] == id) {
                return true;
            }
        }
        return false;
    }

    private void beginBatch() {
        clearSend();
        batchAsRead = 0;
        batchPlain = true;
    }

    private void clearSend() {
        send.clear();
        send.addMessage(0);
        headers.clear();
    }

    /**
     * An NF_ACCEPT verdict carrying {@code length} bytes of {@code content}, or no payload if
     * {@code length < 0}; with the address's mark if {@code withMark}, else the kernel keeps the
     * packet's own.
     */
    private void appendVerdict(DivertAddress address, ByteBuf content, int offset, int length, boolean withMark) {
        int start = beginMessage(headers, VERDICT_TYPE, NLM_F_REQUEST, (int) address.tag(), queue);
        putAttribute(headers, NFQA_VERDICT_HDR, VERDICT_HDR_SIZE);
        headers.writeInt(NF_ACCEPT).writeInt((int) address.tag());
        if (withMark) {
            putAttribute(headers, NFQA_MARK, 4);
            headers.writeInt(address.mark());
        }
        if (length < 0) {
            headers.setIntLE(start, headers.writerIndex() - start);
            send.addIovec(headers.memoryAddress() + start, headers.writerIndex() - start);
            return;
        }
        putAttribute(headers, NFQA_PAYLOAD, length);
        int padding = align4(length) - length;
        headers.setIntLE(start, headers.writerIndex() - start + length + padding);
        send.addIovec(headers.memoryAddress() + start, headers.writerIndex() - start);
        send.addIovec(content.memoryAddress() + offset, length);
        if (padding > 0) {
            send.addIovec(zeros.memoryAddress(), padding);
        }
    }

    /**
     * Replaces the batched verdicts with one NFQNL_MSG_VERDICT_BATCH when that says the same: the
     * kernel accepts with it every packet it holds with an id up to the last one's, so it may be
     * sent only when all of them are plain accepts (no payload, no mark) and they are the
     * oldest packets waiting, in arrival order, with no verdict of our own (a drop) pending.
     * Packets not read yet cannot be among them: the kernel queues and sends packets in id order.
     */
    private boolean mergeIntoBatchVerdict(int batched) {
        if (batched < 2 || !batchPlain || ownCount > 0 || !table.areOldest(batchIds, batched)) {
            return false;
        }
        clearSend();
        long last = batchIds[batched - 1];
        int start = beginMessage(headers, VERDICT_BATCH_TYPE, NLM_F_REQUEST, (int) last, queue);
        putAttribute(headers, NFQA_VERDICT_HDR, VERDICT_HDR_SIZE);
        headers.writeInt(NF_ACCEPT).writeInt((int) last);
        endMessage(headers, start);
        send.addIovec(headers.memoryAddress() + start, headers.writerIndex() - start);
        return true;
    }

    /**
     * Sends the batched verdicts for packets[from..] (those without a failure). Returns false if
     * the kernel would block; on any other error those packets fail and are dropped once
     * released, keeping the one-verdict rule.
     */
    private boolean sendBatch(DivertPacket[] packets, int from, int batched, Throwable[] failures) {
        boolean merged = mergeIntoBatchVerdict(batched);
        long sent = Native.Posix.sendmsg(fd, send.msghdrAddress(0), MSG_DONTWAIT);
        if (sent < 0) {
            int errno = Native.errno();
            if (errno == Errno.EAGAIN) {
                blockedFd = fd;
                return false;
            }
            DivertIOException failure = Errors.newException("sendmsg(NFQNL_MSG_VERDICT)", errno, null);
            for (int i = from, left = batched; left > 0; i++) {
                if (failures[i] == null) {
                    failures[i] = failure;
                    left--;
                }
            }
            return true;
        }
        for (int i = 0; i < batched; i++) {
            table.remove(batchIds[i]);
        }
        reinjectedUnchanged += batchAsRead;
        if (merged) {
            batchVerdicts++;
        }
        return true;
    }

    private boolean inject(DivertPacket packet, String malformation, Throwable[] failures, int i) {
        DivertAddress address = packet.address();
        if (address.isInbound()) {
            failures[i] = new UnsupportedOperationException(
                    "Linux cannot inject inbound packets through NFQUEUE: write a read packet back with its own"
                            + " address, or send new packets with DivertAddress.outbound()");
            return true;
        }
        if (malformation != null) {
            failures[i] = Errors.newException("sendto", Errno.EINVAL, malformation);
            return true;
        }
        if (rawFailure != null) {
            failures[i] = rawFailure;
            return true;
        }
        ByteBuf content = packet.content();
        int offset = content.readerIndex();
        int length = content.readableBytes();
        IpPackets.updateIpv4HeaderChecksum(content, offset);
        boolean v4 = IpPackets.version(content, offset) == 4;
        int rawFd = v4 ? raw4 : raw6;
        scratch.setZero(0, SOCKADDR_IN6_SIZE);
        scratch.setShortLE(0, v4 ? AF_INET : AF_INET6);
        if (v4) {
            scratch.setBytes(4, content, offset + 16, 4);
        } else {
            scratch.setBytes(8, content, offset + 24, 16);
        }
        long sent = Native.Posix.sendto(
                rawFd,
                content.memoryAddress() + offset,
                length,
                MSG_DONTWAIT,
                scratch.memoryAddress(),
                v4 ? SOCKADDR_IN_SIZE : SOCKADDR_IN6_SIZE);
        if (sent < 0) {
            int errno = Native.errno();
            if (errno == Errno.EAGAIN) {
                blockedFd = rawFd;
                return false;
            }
            failures[i] = Errors.newException("sendto", errno, "injecting an outbound packet");
        }
        return true;
    }

    @Override
    int blockedFd() {
        return blockedFd;
    }

    // ---- verdicts of our own

    @Override
    public void released(long id) {
        if (closed) {
            return; // the kernel dropped what the closed queue held
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            releasedInLoop(id);
        } else {
            try {
                loop.execute(() -> releasedInLoop(id));
            } catch (RejectedExecutionException e) {
                // The loop is gone, and with it the channel and its queue.
            }
        }
    }

    private void releasedInLoop(long id) {
        if (closed || !table.contains(id)) {
            return; // answered already
        }
        queueOwnVerdict(id, NF_DROP);
        // Sent once the current read loop and its flush are done.
        channel.flushPendingVerdictsSoon();
    }

    private void queueOwnVerdict(long id, int verdict) {
        if (id < 0) {
            return;
        }
        if (ownCount == ownIds.length) {
            ownIds = Arrays.copyOf(ownIds, ownCount * 2);
            ownVerdicts = Arrays.copyOf(ownVerdicts, ownCount * 2);
        }
        ownIds[ownCount] = id;
        ownVerdicts[ownCount++] = verdict;
    }

    @Override
    boolean flushPendingVerdicts() throws IOException {
        while (ownCount > 0 && !closed) {
            clearSend();
            int taken = 0;
            int sent = 0;
            for (; taken < ownCount && send.iovecsLeft() > 0 && headers.writableBytes() >= BARE_VERDICT; taken++) {
                long id = ownIds[taken];
                int verdict = ownVerdicts[taken];
                // A drop for a packet that was written meanwhile (its content replaced) is void.
                if ((verdict & FORCED) == 0 && !table.contains(id)) {
                    continue;
                }
                int start = headers.writerIndex();
                putBareVerdict(headers, queue, id, verdict & ~FORCED);
                send.addIovec(headers.memoryAddress() + start, headers.writerIndex() - start);
                ownSent[sent++] = (verdict & FORCED) == 0 ? id : -1;
            }
            if (sent > 0 && Native.Posix.sendmsg(fd, send.msghdrAddress(0), MSG_DONTWAIT) < 0) {
                int errno = Native.errno();
                if (errno == Errno.EAGAIN) {
                    blockedFd = fd; // still owed, all of them
                    return false;
                }
                throw Errors.newException("sendmsg(NFQNL_MSG_VERDICT)", errno, null);
            }
            for (int i = 0; i < sent; i++) {
                if (ownSent[i] >= 0 && table.remove(ownSent[i])) {
                    releaseDrops++;
                }
            }
            System.arraycopy(ownIds, taken, ownIds, 0, ownCount - taken);
            System.arraycopy(ownVerdicts, taken, ownVerdicts, 0, ownCount - taken);
            ownCount -= taken;
        }
        return true;
    }

    private void expire() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        int before = ownCount;
        for (long id; (id = table.expireOne(now - timeoutNanos)) != VerdictTable.NONE; ) {
            timeoutDrops++;
            queueOwnVerdict(id, NF_DROP | FORCED);
        }
        if (ownCount > before) {
            channel.flushPendingVerdictsSoon();
        }
    }
    // ---- interfaces

    private static final class Interface {
        final String name;
        final InetAddress address;

        Interface(String name, InetAddress address) {
            this.name = name;
            this.address = address;
        }
    }

    private Interface lookup(int index, long now) {
        if (index <= 0) {
            return null;
        }
        if (now - interfacesFetched > IFACE_CACHE_NANOS) {
            // Interfaces come and go and get renamed: trust the cache for a second at most.
            interfaces.clear();
            interfacesFetched = now;
        }
        Interface iface = interfaces.get(index);
        if (iface == null) {
            iface = fetch(index);
            interfaces.put(index, iface);
        }
        return iface;
    }

    private static Interface fetch(int index) {
        try {
            NetworkInterface nif = NetworkInterface.getByIndex(index);
            if (nif == null) {
                return new Interface(null, null);
            }
            InetAddress first = null;
            for (Enumeration<InetAddress> e = nif.getInetAddresses(); e.hasMoreElements(); ) {
                InetAddress a = e.nextElement();
                if (a instanceof Inet4Address) {
                    first = a;
                    break;
                }
                if (first == null) {
                    first = a;
                }
            }
            return new Interface(nif.getName(), first);
        } catch (SocketException e) {
            return new Interface(null, null);
        }
    }

    // ---- counters and close

    @Override
    long releaseDrops() {
        return releaseDrops;
    }

    @Override
    long timeoutDrops() {
        return timeoutDrops;
    }

    @Override
    long overflows() {
        return overflows;
    }

    @Override
    long reinjectedUnchanged() {
        return reinjectedUnchanged;
    }

    @Override
    KernelQueueCounters kernelCounters() {
        return kernelCounters;
    }

    @Override
    long packetsTruncated() {
        return packetsTruncated;
    }

    /** Sends that answered several packets with one NFQNL_MSG_VERDICT_BATCH. */
    long batchVerdicts() {
        return batchVerdicts;
    }

    @Override
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        timeoutTask.cancel(false);
        kernelCounters.refresh(); // the last values: the queue's line goes with the socket
        // Closing the netlink socket unbinds the queue; the kernel drops what it still holds.
        Native.Posix.close(fd);
        if (raw4 >= 0) {
            Native.Posix.close(raw4);
        }
        if (raw6 >= 0) {
            Native.Posix.close(raw6);
        }
        table.clear();
        ownCount = 0;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                slots[i].release();
                slots[i] = null;
            }
        }
        receive.release();
        send.release();
        headers.release();
        zeros.release();
        scratch.release();
    }
}
