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
package org.nettydivert.transport.bsd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertChannelConfig;
import org.nettydivert.transport.DivertIoException;
import org.nettydivert.transport.DivertPacket;
import org.nettydivert.transport.spi.DivertSocket;
import org.nettydivert.transport.spi.SocketContext;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Errors;
import org.nettydivert.transport.unix.InterfaceNames;
import org.nettydivert.transport.unix.IpPackets;
import org.nettydivert.transport.unix.MsgArray;
import org.nettydivert.transport.unix.MsgLayout;
import org.nettydivert.transport.unix.Native;

/**
 * FreeBSD and OpenBSD divert sockets. FreeBSD has one socket for both IP versions ({@code
 * PF_DIVERT} on 14+, else {@code PF_INET}/{@code IPPROTO_DIVERT}); OpenBSD one per address
 * family, both bound to the divert port, and a packet is written through the one of its IP
 * version. Reads go straight into direct buffers from the channel's allocator, a batch per
 * recvmmsg; writes are batched per sendmmsg, in order.
 *
 * <p>The system calls go through {@link Syscalls} so that tests on Linux can stand in for the
 * kernel: everything here but {@link #NATIVE} runs in the build.
 */
public final class BsdDivertSocket extends DivertSocket {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(BsdDivertSocket.class);

    /**
     * {@code msg_flags}: the datagram was longer than the buffer. The same 0x10 in FreeBSD's and
     * OpenBSD's {@code sys/socket.h} (4.4BSD's value; Linux has 0x20): {@code
     * docs/ABI.md#bsd-message-headers}.
     */
    static final int MSG_TRUNC = 0x10;

    /**
     * SO_RCVBUF when the configuration leaves it to us. The kernel's 65636 bytes hold only about
     * 45 full-sized packets, and a full buffer drops what is diverted next; 1 MiB fits under the
     * default {@code kern.ipc.maxsockbuf} (FreeBSD) and {@code sb_max} (OpenBSD) of 2 MiB.
     */
    static final int DEFAULT_RECEIVE_BUFFER = 1 << 20;

    /** The calls the socket makes: the kernel's, or a test's stand-in. Results as libc returns them. */
    public interface Syscalls {
        int socket(int domain, int type, int protocol);

        int setsockopt(int fd, int level, int name, long value, int length);

        int bind(int fd, long address, int length);

        int recvmmsg(int fd, long msgvec, int vlen);

        int sendmmsg(int fd, long msgvec, int vlen);

        int close(int fd);

        /** errno of the last failed call. */
        int errno();
    }

    static final Syscalls NATIVE = new Syscalls() {
        @Override
        public int socket(int domain, int type, int protocol) {
            return Native.Posix.socket(domain, type, protocol);
        }

        @Override
        public int setsockopt(int fd, int level, int name, long value, int length) {
            return Native.Posix.setsockopt(fd, level, name, value, length);
        }

        @Override
        public int bind(int fd, long address, int length) {
            return Native.Posix.bind(fd, address, length);
        }

        @Override
        public int recvmmsg(int fd, long msgvec, int vlen) {
            // The socket is non-blocking, so no MSG_DONTWAIT: one flag fewer whose value must match.
            return Native.Mmsg.recvmmsg(fd, msgvec, vlen, 0, 0);
        }

        @Override
        public int sendmmsg(int fd, long msgvec, int vlen) {
            return Native.Mmsg.sendmmsg(fd, msgvec, vlen, 0);
        }

        @Override
        public int close(int fd) {
            return Native.Posix.close(fd);
        }

        @Override
        public int errno() {
            return Native.errno();
        }
    };

    private final BsdAbi abi;
    private final Syscalls sys;
    private final int port;
    /** FreeBSD: the socket. OpenBSD: the AF_INET socket, then the AF_INET6 one. */
    private final int[] fds;

    private final BsdSockaddr[] decoders;
    private final int maxPacketSize;
    private final ByteBuf[] slots;
    private final MsgArray receive;
    private final MsgArray send;
    private int blockedFd = -1;
    private boolean closed;
    private boolean truncationLogged;
    private final InterfaceNames interfaces = new InterfaceNames();

    BsdDivertSocket(BsdAbi abi, Syscalls sys, int port, int[] fds, int maxPacketSize, int batchSize) {
        this.abi = abi;
        this.sys = sys;
        this.port = port;
        this.fds = fds;
        this.decoders = new BsdSockaddr[fds.length];
        for (int i = 0; i < fds.length; i++) {
            decoders[i] = new BsdSockaddr(abi, port);
        }
        this.maxPacketSize = maxPacketSize;
        this.slots = new ByteBuf[batchSize];
        this.receive = new MsgArray(MsgLayout.BSD, batchSize, batchSize);
        this.send = new MsgArray(MsgLayout.BSD, batchSize, batchSize);
    }

    public static BsdDivertSocket open(SocketContext channel, DivertAddress address) throws IOException {
        try {
            // Binds recvmmsg and sendmmsg now, so that a libc without them fails the bind, not a read.
            Class.forName(Native.Mmsg.class.getName(), true, BsdDivertSocket.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new UnsupportedOperationException(
                    "this C library has no recvmmsg/sendmmsg (FreeBSD 11+ and OpenBSD 7.2+ have them)", e);
        }
        return open(BsdAbi.current(), NATIVE, channel.config(), address.port());
    }

    /** Opens, configures and binds the divert socket(s) of {@code abi} for divert port {@code port}. */
    public static BsdDivertSocket open(BsdAbi abi, Syscalls sys, DivertChannelConfig config, int port)
            throws IOException {
        int[] fds = abi == BsdAbi.FREEBSD ? new int[] {-1} : new int[] {-1, -1};
        ByteBuf scratch = Unpooled.directBuffer(MsgArray.NAME_SIZE);
        try {
            if (abi == BsdAbi.FREEBSD) {
                fds[0] = openFreeBsd(sys, port);
                configureAndBind(abi, sys, config, fds[0], BsdAbi.AF_INET, port, scratch);
            } else {
                fds[0] = openOpenBsd(sys, BsdAbi.AF_INET, "AF_INET", port);
                configureAndBind(abi, sys, config, fds[0], BsdAbi.AF_INET, port, scratch);
                fds[1] = openOpenBsd(sys, abi.afInet6, "AF_INET6", port);
                configureAndBind(abi, sys, config, fds[1], abi.afInet6, port, scratch);
            }
            return new BsdDivertSocket(abi, sys, port, fds, config.getMaxPacketSize(), config.getBatchSize());
        } catch (IOException | RuntimeException e) {
            for (int fd : fds) {
                if (fd >= 0) {
                    sys.close(fd);
                }
            }
            throw e;
        } finally {
            scratch.release();
        }
    }

    private static int openFreeBsd(Syscalls sys, int port) throws DivertIoException {
        BsdAbi abi = BsdAbi.FREEBSD;
        int type = BsdAbi.SOCK_RAW | abi.socketFlags();
        int fd = sys.socket(abi.pfDivert, type, 0);
        if (fd >= 0) {
            return fd;
        }
        int errno = sys.errno();
        if (!BsdHints.isNoDivert(errno)) {
            throw Errors.newException("socket(PF_DIVERT, SOCK_RAW, 0)", errno, BsdHints.socketHint(abi, errno, port));
        }
        // FreeBSD before 14 has divert only as a protocol of PF_INET.
        fd = sys.socket(BsdAbi.AF_INET, type, BsdAbi.IPPROTO_DIVERT);
        if (fd < 0) {
            errno = sys.errno();
            throw Errors.newException(
                    "socket(PF_INET, SOCK_RAW, IPPROTO_DIVERT)", errno, BsdHints.socketHint(abi, errno, port));
        }
        return fd;
    }

    private static int openOpenBsd(Syscalls sys, int family, String familyName, int port) throws DivertIoException {
        BsdAbi abi = BsdAbi.OPENBSD;
        int fd = sys.socket(family, BsdAbi.SOCK_RAW | abi.socketFlags(), BsdAbi.IPPROTO_DIVERT);
        if (fd < 0) {
            int errno = sys.errno();
            throw Errors.newException(
                    "socket(" + familyName + ", SOCK_RAW, IPPROTO_DIVERT)",
                    errno,
                    BsdHints.socketHint(abi, errno, port));
        }
        return fd;
    }

    private static void configureAndBind(
            BsdAbi abi, Syscalls sys, DivertChannelConfig config, int fd, int family, int port, ByteBuf scratch)
            throws DivertIoException {
        long value = scratch.memoryAddress();
        int receiveBuffer = config.getReceiveBufferSize();
        if (receiveBuffer > 0) {
            scratch.setIntLE(0, receiveBuffer);
            if (sys.setsockopt(fd, BsdAbi.SOL_SOCKET, BsdAbi.SO_RCVBUF, value, 4) < 0) {
                int errno = sys.errno();
                throw Errors.newException(
                        "setsockopt(SO_RCVBUF)", errno, BsdHints.bufferHint(abi, errno, receiveBuffer));
            }
        } else {
            scratch.setIntLE(0, DEFAULT_RECEIVE_BUFFER);
            if (sys.setsockopt(fd, BsdAbi.SOL_SOCKET, BsdAbi.SO_RCVBUF, value, 4) < 0) {
                // Only our own choice failed (a lowered maximum): the kernel's default still works.
                logger.debug("SO_RCVBUF of {} bytes refused, errno {}", DEFAULT_RECEIVE_BUFFER, sys.errno());
            }
        }
        int sendBuffer = config.getSendBufferSize();
        if (sendBuffer > 0) {
            scratch.setIntLE(0, sendBuffer);
            if (sys.setsockopt(fd, BsdAbi.SOL_SOCKET, BsdAbi.SO_SNDBUF, value, 4) < 0) {
                int errno = sys.errno();
                throw Errors.newException("setsockopt(SO_SNDBUF)", errno, BsdHints.bufferHint(abi, errno, sendBuffer));
            }
        }
        if (config.isReusePortLb()) {
            // Refused before any call: FreeBSD accepts the option on any socket (sosetopt), then
            // 14 and 15 refuse the second bind and 13 gives every packet to the first socket, so
            // a "working" setsockopt would only hide a channel that never reads anything.
            throw Errors.newException("bind", Errno.EOPNOTSUPP, BsdHints.reusePortLbHint(abi));
        }
        int length = BsdSockaddr.encodeBind(abi, family, port, scratch, 0);
        if (sys.bind(fd, scratch.memoryAddress(), length) < 0) {
            int errno = sys.errno();
            throw Errors.newException("bind", errno, BsdHints.socketHint(abi, errno, port));
        }
    }

    @Override
    public int[] fds() {
        return fds.clone();
    }

    @Override
    public boolean isReadable(int fd) {
        return indexOf(fd) >= 0;
    }

    private int indexOf(int fd) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] == fd) {
                return i;
            }
        }
        return -1;
    }

    /** The socket a packet of IP version {@code version} is written through, or -1 if none. */
    int fdFor(int version) {
        if (abi == BsdAbi.FREEBSD) {
            // FreeBSD takes the family from the packet: one socket does both.
            return version == 4 || version == 6 ? fds[0] : -1;
        }
        return version == 4 ? fds[0] : version == 6 ? fds[1] : -1;
    }

    @Override
    public int read(int fd, ByteBufAllocator allocator, DivertPacket[] out) throws IOException {
        int index = indexOf(fd);
        if (closed || index < 0) {
            return WOULD_BLOCK;
        }
        int max = Math.min(out.length, slots.length);
        receive.clear();
        for (int i = 0; i < max; i++) {
            if (slots[i] == null) {
                slots[i] = allocator.directBuffer(maxPacketSize);
            }
            receive.addMessage(BsdSockaddr.MAX_SIZE);
            receive.addIovec(slots[i].memoryAddress(), maxPacketSize);
        }
        int received = sys.recvmmsg(fd, receive.address(), max);
        if (received < 0) {
            int errno = sys.errno();
            if (errno == Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw Errors.newException("recvmmsg", errno, null);
        }
        int count = 0;
        for (int i = 0; i < received; i++) {
            if ((receive.flags(i) & MSG_TRUNC) != 0) {
                // Its slot is reused: a cut packet cannot be written back, so it is dropped.
                if (!truncationLogged) {
                    truncationLogged = true;
                    logger.warn(
                            "divert port {}: dropped a packet longer than MAX_PACKET_SIZE ({} bytes)",
                            port,
                            maxPacketSize);
                }
                continue;
            }
            DivertAddress address;
            try {
                address = decoders[index].decode(receive.memory(), receive.nameIndex(i), receive.nameLength(i));
            } catch (IllegalArgumentException e) {
                logger.warn("divert port {}: dropped a packet with an unexpected socket address", port, e);
                continue;
            }
            ByteBuf slot = slots[i];
            slots[i] = null;
            slot.setIndex(0, receive.messageLength(i));
            out[count++] = new DivertPacket(slot, address);
        }
        // Slots that got nothing, or a dropped packet, keep their buffer for the next read.
        compactSlots(max);
        return count;
    }

    private void compactSlots(int max) {
        int kept = 0;
        for (int i = 0; i < max; i++) {
            if (slots[i] != null) {
                ByteBuf slot = slots[i];
                slots[i] = null;
                slots[kept++] = slot;
            }
        }
    }

    @Override
    public int write(DivertPacket[] packets, int count, Throwable[] failures) {
        blockedFd = -1;
        int i = 0;
        while (i < count) {
            // One batch: the packets from i on that can be sent and go through the same socket.
            send.clear();
            int first = i;
            int batchFd = -1;
            while (i < count && !send.isFull()) {
                DivertPacket packet = packets[i];
                ByteBuf content = packet.content();
                int offset = content.readerIndex();
                int length = content.readableBytes();
                Throwable refusal = null;
                int fd = -1;
                int nameLength = 0;
                String malformation = IpPackets.malformation(content, offset, length);
                if (malformation == null && abi == BsdAbi.OPENBSD) {
                    malformation = openBsdIpv4Malformation(content, offset, length);
                }
                if (packet.address().hasVerdictOptions()) {
                    refusal = unsupportedVerdict(packet.address());
                } else if (malformation != null) {
                    refusal = Errors.newException("sendmmsg", Errno.EINVAL, malformation);
                } else {
                    int version = IpPackets.version(content, offset);
                    fd = fdFor(version);
                    try {
                        nameLength = BsdSockaddr.encode(
                                abi,
                                addressToEncode(packet.address(), version),
                                version,
                                send.memory(),
                                send.nameIndex(send.count()));
                    } catch (IllegalArgumentException e) {
                        refusal = e;
                    }
                }
                if (refusal != null) {
                    if (send.count() > 0) {
                        break; // what is batched goes first, to keep the order
                    }
                    failures[i++] = refusal;
                    first = i;
                    continue;
                }
                if (send.count() > 0 && fd != batchFd) {
                    break; // OpenBSD: the other family's socket, in the next batch
                }
                // FreeBSD drops inbound packets whose IPv4 header checksum is wrong.
                IpPackets.updateIpv4HeaderChecksum(content, offset);
                send.addMessage(nameLength);
                send.addIovec(content.memoryAddress() + offset, length);
                batchFd = fd;
                i++;
            }
            if (send.count() == 0) {
                continue;
            }
            int sent = sys.sendmmsg(batchFd, send.address(), send.count());
            if (sent > 0) {
                // A short count stops at a packet that failed or would block: the next batch starts
                // with it, and the kernel says which.
                i = first + sent;
                continue;
            }
            int errno = sent < 0 ? sys.errno() : Errno.EAGAIN;
            if (errno == Errno.EAGAIN) {
                blockedFd = batchFd;
                Arrays.fill(failures, first, count, null);
                return first;
            }
            if (errno == Errno.EINTR) {
                i = first;
                continue;
            }
            failures[first] =
                    Errors.newException("sendmmsg", errno, BsdHints.writeHint(abi, errno, packets[first].address()));
            i = first + 1;
        }
        return count;
    }

    /**
     * What OpenBSD's {@code rip_chkhdr} ({@code sys/netinet/raw_ip.c}, called by {@code
     * divert_output}) refuses with EINVAL beyond {@link IpPackets#malformation}'s checks, or
     * {@code null}: a total length other than the bytes written (FreeBSD only refuses one beyond
     * them), and IP options whose lengths do not walk the header. Checked here so that the
     * write fails with the reason rather than a bare EINVAL from the kernel.
     */
    static String openBsdIpv4Malformation(ByteBuf packet, int offset, int length) {
        if (IpPackets.version(packet, offset) != 4) {
            return null;
        }
        int totalLength = packet.getUnsignedShort(offset + 2);
        if (totalLength != length) {
            return "OpenBSD needs the IPv4 total length to equal the bytes written: " + totalLength + " declared, "
                    + length + " written";
        }
        int headerLength = (packet.getUnsignedByte(offset) & 0xF) * 4;
        int at = offset + 20;
        int end = offset + headerLength;
        while (at < end) {
            int type = packet.getUnsignedByte(at);
            if (type == 0) { // end of options list
                break;
            }
            if (type == 1) { // no-operation
                at++;
                continue;
            }
            int optionLength = end - at >= 2 ? packet.getUnsignedByte(at + 1) : 0;
            if (optionLength < 2 || optionLength > end - at) {
                return "OpenBSD refuses IPv4 options whose lengths do not fit the header: option " + type + " at byte "
                        + (at - offset);
            }
            at += optionLength;
        }
        return null;
    }

    /**
     * Divert sockets have no verdicts: a written packet is reinjected (after the rule of its tag,
     * on FreeBSD) or dropped by not writing it. So repeat, hand-off and connmark are refused.
     */
    private static UnsupportedOperationException unsupportedVerdict(DivertAddress address) {
        String what = address.verdict() == DivertAddress.Verdict.REPEAT
                ? "a repeat verdict (FreeBSD: write with another tag to resume at that ipfw rule number)"
                : address.verdict() == DivertAddress.Verdict.HAND_OFF ? "a hand-off to another queue" : "a connmark";
        return new UnsupportedOperationException(
                what + " is Linux NFQUEUE only; divert sockets have no verdicts: " + address);
    }

    /**
     * OpenBSD finds the interface of an inbound write by address only: an address that names
     * the interface gets one of its addresses of the packet's family. FreeBSD takes the name.
     */
    private DivertAddress addressToEncode(DivertAddress address, int version) {
        if (abi != BsdAbi.OPENBSD || !address.isInbound() || address.interfaceName() == null) {
            return address;
        }
        InetAddress current = address.interfaceAddress();
        if (current != null && (version == 4 ? current instanceof Inet4Address : current instanceof Inet6Address)) {
            return address;
        }
        InetAddress found = interfaces.addressOf(address.interfaceName(), version);
        return found == null
                ? address
                : new DivertAddress(
                        address.port(),
                        address.direction(),
                        address.interfaceName(),
                        found,
                        address.tag(),
                        address.mark());
    }

    @Override
    public int blockedFd() {
        return blockedFd;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int fd : fds) {
            sys.close(fd);
        }
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                slots[i].release();
                slots[i] = null;
            }
        }
        receive.release();
        send.release();
    }
}
