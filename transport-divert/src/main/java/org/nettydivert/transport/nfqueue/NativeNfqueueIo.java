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

import static org.nettydivert.transport.nfqueue.LinuxAbi.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.nettydivert.transport.DivertChannelConfig;
import org.nettydivert.transport.DivertIoException;
import org.nettydivert.transport.PacketMetadata;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Errors;
import org.nettydivert.transport.unix.Native;

/**
 * The kernel's {@link NfqueueIo}: a netlink socket bound to one NFQUEUE queue, and the system
 * calls on it and on the raw sockets. {@link #open} binds and configures the queue, turning
 * the kernel's refusals into messages that say what to do.
 */
public final class NativeNfqueueIo implements NfqueueIo {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(NativeNfqueueIo.class);
    private static final int MIN_SEND_BUFFER = 4 << 20;

    private final int fd;
    private final int sendBufferSize;

    private NativeNfqueueIo(int fd, int sendBufferSize) {
        this.fd = fd;
        this.sendBufferSize = sendBufferSize;
    }

    /** Opens a netlink socket and binds it to queue {@code queue}, configured as {@code config} says. */
    static NativeNfqueueIo open(int queue, DivertChannelConfig config) throws IOException {
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
            configureMetadata(fd, queue, config.getNfqueueMetadata());
            return new NativeNfqueueIo(fd, sendBufferSize(fd, scratch));
        } catch (Throwable t) {
            Native.Posix.close(fd);
            throw t;
        } finally {
            scratch.release();
        }
    }

    private static void setBufferSize(int fd, int forced, int plain, int bytes, ByteBuf scratch)
            throws DivertIoException {
        scratch.setIntLE(0, bytes);
        // The FORCE variant (CAP_NET_ADMIN, which binding a queue needs anyway) passes the sysctl maximum.
        if (Native.Posix.setsockopt(fd, SOL_SOCKET, forced, scratch.memoryAddress(), 4) < 0) {
            Errors.check(
                    "setsockopt(SOL_SOCKET, " + (plain == SO_RCVBUF ? "SO_RCVBUF" : "SO_SNDBUF") + ")",
                    Native.Posix.setsockopt(fd, SOL_SOCKET, plain, scratch.memoryAddress(), 4));
        }
    }

    private static int sendBufferSize(int fd, ByteBuf scratch) throws DivertIoException {
        scratch.setIntLE(0, 0);
        scratch.setIntLE(4, 4);
        Errors.check(
                "getsockopt(SO_SNDBUF)",
                Native.Posix.getsockopt(
                        fd, SOL_SOCKET, SO_SNDBUF, scratch.memoryAddress(), scratch.memoryAddress() + 4));
        return scratch.getIntLE(0);
    }

    /**
     * Binds the queue and sets copy mode, length and flags, in one datagram of four requests
     * that the kernel acknowledges one by one; the first refusal is the error.
     */
    private static void configure(int fd, int queue, DivertChannelConfig config) throws IOException {
        ByteBuf request = Unpooled.directBuffer(256);
        ByteBuf reply = Unpooled.directBuffer(8192);
        try {
            int flags = config.isFailOpen() ? NFQA_CFG_F_FAIL_OPEN : 0;
            // GSO: large packets queued whole rather than segmented in software first.
            flags |= config.isGso() ? NFQA_CFG_F_GSO : 0;
            int requests = NfqueueMessages.putConfiguration(
                    request, queue, config.getMaxPacketSize(), config.getQueueMaxlen(), flags);
            long sent = Native.Posix.sendto(fd, request.memoryAddress(), request.readableBytes(), 0, 0, 0);
            if (sent < 0) {
                throw Errors.newException("sendto(NFQNL_MSG_CONFIG)");
            }
            int acknowledged = 0;
            while (acknowledged < requests) {
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
                    if (type == NfqueueMessages.PACKET_TYPE) {
                        long id = NfqueueMessages.packetId(reply, m, length);
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

    // ---- Packet metadata flags (UID_GID, CONNTRACK, SECCTX): a request of their own after the
    // configuration, so that a kernel lacking what one needs refuses only it, with a message that
    // says what to load, and so that the configuration above stays as it was without them.

    private static int metadataFlags(Set<PacketMetadata.Extra> extras) {
        int flags = 0;
        for (PacketMetadata.Extra extra : extras) {
            flags |= switch (extra) {
                case OWNER -> NFQA_CFG_F_UID_GID;
                case CONNTRACK -> NFQA_CFG_F_CONNTRACK;
                case SECURITY_CONTEXT -> NFQA_CFG_F_SECCTX;
            };
        }
        return flags;
    }

    /**
     * Sets the metadata flags {@code extras} ask for, if any, and waits for the kernel's
     * acknowledgement. A kernel without conntrack glue (CONFIG_NETFILTER_NETLINK_GLUE_CT,
     * nf_conntrack_netlink) or without SECMARK refuses CONNTRACK or SECCTX with EOPNOTSUPP: the
     * channel then goes on without that one, saying so once at WARN, so that a program that
     * shows the state where there is one (like example dump) runs on every kernel; its packets
     * read the state as unknown, as untracked ones do.
     */
    private static void configureMetadata(int fd, int queue, Set<PacketMetadata.Extra> extras) throws IOException {
        Set<PacketMetadata.Extra> asked = extras.isEmpty() ? extras : EnumSet.copyOf(extras);
        ByteBuf request = Unpooled.directBuffer(64);
        ByteBuf reply = Unpooled.directBuffer(8192);
        try {
            // Asked for CONNTRACK while nf_conntrack_netlink is a module not yet loaded, the kernel
            // loads it and answers EAGAIN for the caller to ask again (as libnetfilter_queue users do).
            boolean loaded = false;
            while (metadataFlags(asked) != 0) {
                request.clear();
                int start = NfqueueMessages.beginMessage(
                        request, NfqueueMessages.CONFIG_TYPE, NLM_F_REQUEST | NLM_F_ACK, METADATA_SEQ, queue);
                NfqueueMessages.putAttribute(request, NFQA_CFG_FLAGS, 4);
                request.writeInt(metadataFlags(asked));
                NfqueueMessages.putAttribute(request, NFQA_CFG_MASK, 4);
                request.writeInt(metadataFlags(asked));
                NfqueueMessages.endMessage(request, start);
                int error = metadataRequest(fd, queue, request, reply);
                if (error == 0) {
                    return;
                }
                if (error == Errno.EAGAIN && !loaded) {
                    loaded = true;
                } else if (error == Errno.EOPNOTSUPP && asked.remove(PacketMetadata.Extra.CONNTRACK)) {
                    logger.warn(
                            "NFQUEUE {}: this kernel cannot add the conntrack state to queued packets (it lacks"
                                    + " CONFIG_NETFILTER_NETLINK_GLUE_CT or nf_conntrack_netlink): packets come"
                                    + " without it, PacketMetadata.conntrackState() is null",
                            queue);
                } else if (error == Errno.EOPNOTSUPP && asked.remove(PacketMetadata.Extra.SECURITY_CONTEXT)) {
                    logger.warn(
                            "NFQUEUE {}: this kernel cannot add security contexts to queued packets (it lacks"
                                    + " CONFIG_NETWORK_SECMARK): PacketMetadata.securityContext() is null",
                            queue);
                } else {
                    throw metadataError(error, queue, asked);
                }
            }
        } finally {
            request.release();
            reply.release();
        }
    }

    private static final int METADATA_SEQ = 100;

    /** Sends {@code request} and returns the errno of its acknowledgement (0: applied). */
    private static int metadataRequest(int fd, int queue, ByteBuf request, ByteBuf reply) throws IOException {
        if (Native.Posix.sendto(fd, request.memoryAddress(), request.readableBytes(), 0, 0, 0) < 0) {
            throw Errors.newException("sendto(NFQNL_MSG_CONFIG)");
        }
        while (true) {
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
                if (type == NLMSG_ERROR && reply.getIntLE(m + NLMSG_HDRLEN + 4 + 8) == METADATA_SEQ) {
                    return -reply.getIntLE(m + NLMSG_HDRLEN);
                }
                // Queued before the flags were set, a packet lacks the metadata asked for: queue it again.
                if (type == NfqueueMessages.PACKET_TYPE) {
                    long id = NfqueueMessages.packetId(reply, m, length);
                    if (id >= 0) {
                        sendBareVerdict(fd, queue, id, NF_REPEAT);
                    }
                }
                m += align4(length);
            }
        }
    }

    private static DivertIoException metadataError(int errno, int queue, Set<PacketMetadata.Extra> extras) {
        String what = "asking NFQUEUE " + queue + " for packet metadata " + extras;
        String hint = errno == Errno.EOPNOTSUPP
                ? what + ": this kernel does not know one of these flags; leave it out of NFQUEUE_METADATA"
                : what;
        return Errors.newException("NFQNL_MSG_CONFIG", errno, hint);
    }

    private static void sendBareVerdict(int fd, int queue, long id, int verdict) throws DivertIoException {
        ByteBuf message = Unpooled.directBuffer(NfqueueMessages.BARE_VERDICT);
        try {
            NfqueueMessages.putBareVerdict(message, queue, id, verdict);
            if (Native.Posix.sendto(fd, message.memoryAddress(), message.readableBytes(), 0, 0, 0) < 0) {
                throw Errors.newException("sendto(NFQNL_MSG_VERDICT)");
            }
        } finally {
            message.release();
        }
    }

    private static DivertIoException configError(int errno, int queue, int seq) {
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

    @Override
    public int netlinkFd() {
        return fd;
    }

    @Override
    public int receive(long msgvec, int vlen) {
        return Native.Mmsg.recvmmsg(fd, msgvec, vlen, MSG_DONTWAIT, 0);
    }

    @Override
    public long send(long msghdr) {
        return Native.Posix.sendmsg(fd, msghdr, MSG_DONTWAIT);
    }

    @Override
    public long sendRaw(int rawFd, long buffer, int length, long address, int addressLength) {
        return Native.Posix.sendto(rawFd, buffer, length, MSG_DONTWAIT, address, addressLength);
    }

    @Override
    public int errno() {
        return Native.errno();
    }

    @Override
    public int sendBufferSize() {
        return sendBufferSize;
    }

    @Override
    public void close(int descriptor) {
        Native.Posix.close(descriptor);
    }
}
