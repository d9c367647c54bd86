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
import java.io.IOException;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertIoException;
import org.nettydivert.transport.DivertPacket;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Errors;
import org.nettydivert.transport.unix.IpPackets;
import org.nettydivert.transport.unix.Native;

/**
 * Sends new packets ({@link DivertAddress#outbound()}) on Linux: NFQUEUE only answers packets it
 * queued, so new ones leave through raw sockets, IPv4 with IP_HDRINCL (IPPROTO_RAW implies it)
 * and IPv6, both marked with the channel's inject mark so that rules can let them pass. Without
 * the privilege for raw sockets reading and reinjecting still work, and injecting says why not.
 */
public final class RawInjector {
    private final NfqueueIo io;
    private final int raw4;
    private final int raw6;
    private final IOException failure;
    private final ByteBuf sockaddr = Unpooled.directBuffer(SOCKADDR_IN6_SIZE);
    private int blockedFd = -1;

    /**
     * Sends through raw sockets {@code raw4} and {@code raw6} with {@code io}; if they could not
     * be opened, both are -1 and {@code failure} is why.
     */
    public RawInjector(NfqueueIo io, int raw4, int raw6, IOException failure) {
        this.io = io;
        this.raw4 = raw4;
        this.raw6 = raw6;
        this.failure = failure;
    }

    /** Opens the raw sockets, marking what they send with {@code mark} (0: unmarked). */
    static RawInjector open(NfqueueIo io, int mark) {
        int raw4 = -1;
        try {
            raw4 = openRawSocket(AF_INET, mark);
            return new RawInjector(io, raw4, openRawSocket(AF_INET6, mark), null);
        } catch (IOException e) {
            if (raw4 >= 0) {
                Native.Posix.close(raw4);
            }
            return new RawInjector(io, -1, -1, e);
        }
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
                    DivertIoException e = Errors.newException("setsockopt(SO_MARK)");
                    Native.Posix.close(fd);
                    throw e;
                }
            } finally {
                value.release();
            }
        }
        return fd;
    }

    /** The raw sockets that are open, for the channel to watch for writability. */
    int[] fds() {
        return raw4 >= 0 ? (raw6 >= 0 ? new int[] {raw4, raw6} : new int[] {raw4}) : new int[0];
    }

    /** The raw socket that made the last {@link #inject} return false. */
    int blockedFd() {
        return blockedFd;
    }

    /**
     * Sends {@code packet}, a new outbound one, or sets {@code failures[i]} to why not ({@code
     * malformation}: what is wrong with its IP header, or null). Returns false if the socket
     * would block: the packet is then neither sent nor failed.
     */
    boolean inject(DivertPacket packet, String malformation, Throwable[] failures, int i) {
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
        if (failure != null) {
            failures[i] = failure;
            return true;
        }
        ByteBuf content = packet.content();
        int offset = content.readerIndex();
        IpPackets.updateIpv4HeaderChecksum(content, offset);
        boolean v4 = IpPackets.version(content, offset) == 4;
        int fd = v4 ? raw4 : raw6;
        // The destination address is the packet's own: raw sockets route by it.
        sockaddr.setZero(0, SOCKADDR_IN6_SIZE);
        sockaddr.setShortLE(0, v4 ? AF_INET : AF_INET6);
        if (v4) {
            sockaddr.setBytes(4, content, offset + 16, 4);
        } else {
            sockaddr.setBytes(8, content, offset + 24, 16);
        }
        long sent = io.sendRaw(
                fd,
                content.memoryAddress() + offset,
                content.readableBytes(),
                sockaddr.memoryAddress(),
                v4 ? SOCKADDR_IN_SIZE : SOCKADDR_IN6_SIZE);
        if (sent < 0) {
            int errno = io.errno();
            if (errno == Errno.EAGAIN) {
                blockedFd = fd;
                return false;
            }
            failures[i] = Errors.newException("sendto", errno, "injecting an outbound packet");
        }
        return true;
    }

    /** Closes the raw sockets. */
    void close() {
        if (raw4 >= 0) {
            io.close(raw4);
        }
        if (raw6 >= 0) {
            io.close(raw6);
        }
        sockaddr.release();
    }
}
