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
import io.netty.buffer.Unpooled;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Native;

/**
 * A divert socket with no channel, for the real-BSD checks of what the kernel itself does (a
 * header checksum the channel would have fixed, a length the channel would have refused): plain
 * socket, bind and sendto through the transport's own bindings, errno returned, nothing hidden.
 */
public final class RawDivertSocket implements AutoCloseable {
    private final BsdAbi abi;
    private final int family;
    private final int fd;

    private RawDivertSocket(BsdAbi abi, int family, int fd) {
        this.abi = abi;
        this.family = family;
        this.fd = fd;
    }

    /** 0 when {@code socket(domain, SOCK_RAW, protocol)} succeeds (the socket is closed again), else its errno. */
    public static int trySocket(int domain, int protocol) {
        int fd = Native.Posix.socket(domain, BsdAbi.SOCK_RAW, protocol);
        if (fd < 0) {
            return Native.errno();
        }
        Native.Posix.close(fd);
        return 0;
    }

    /**
     * Opens a divert socket of {@code abi} and {@code family} bound to {@code port} (FreeBSD 14+:
     * PF_DIVERT, else the PF_INET form).
     *
     * @throws IllegalStateException naming the call and errno when one fails
     */
    public static RawDivertSocket open(BsdAbi abi, int family, int port) {
        int fd = abi == BsdAbi.FREEBSD ? Native.Posix.socket(abi.pfDivert, BsdAbi.SOCK_RAW, 0) : -1;
        if (fd < 0) {
            fd = Native.Posix.socket(family, BsdAbi.SOCK_RAW, BsdAbi.IPPROTO_DIVERT);
        }
        if (fd < 0) {
            throw new IllegalStateException("socket: " + Errno.name(Native.errno()));
        }
        ByteBuf address = Unpooled.directBuffer(32);
        try {
            int length = BsdSockaddr.encodeBind(abi, family, port, address, 0);
            if (Native.Posix.bind(fd, address.memoryAddress(), length) < 0) {
                int errno = Native.errno();
                Native.Posix.close(fd);
                throw new IllegalStateException("bind: " + Errno.name(errno));
            }
        } finally {
            address.release();
        }
        return new RawDivertSocket(abi, family, fd);
    }

    /**
     * Sends {@code packet} (its readable bytes, unchanged) with the outbound address: every byte 0
     * but the length and family.
     *
     * @return 0, or the errno of sendto
     */
    public int sendOutbound(ByteBuf packet) {
        ByteBuf direct = Unpooled.directBuffer(Math.max(1, packet.readableBytes()));
        ByteBuf address = Unpooled.directBuffer(32);
        try {
            direct.writeBytes(packet, packet.readerIndex(), packet.readableBytes());
            int length = BsdSockaddr.encodeBind(abi, family, 0, address, 0);
            long sent = Native.Posix.sendto(
                    fd, direct.memoryAddress(), direct.readableBytes(), 0, address.memoryAddress(), length);
            return sent < 0 ? Native.errno() : 0;
        } finally {
            direct.release();
            address.release();
        }
    }

    @Override
    public void close() {
        Native.Posix.close(fd);
    }
}
