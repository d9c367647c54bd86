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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.MsgArray;
import org.nettydivert.transport.unix.MsgLayout;
import org.nettydivert.transport.unix.Os;

/**
 * The BSD socket, file, message-header and errno constants, pinned to the values {@code
 * docs/ABI.md} records with their FreeBSD and OpenBSD sources. No BSD header is at hand in the
 * build, so a change here must come with a change there, naming the source that moved.
 */
class BsdAbiTest {

    @Test
    void addressFamiliesDifferOnlyInInet6() {
        assertEquals(2, BsdAbi.AF_INET);
        assertEquals(28, BsdAbi.FREEBSD.afInet6);
        assertEquals(24, BsdAbi.OPENBSD.afInet6);
    }

    @Test
    void divertSocketIsRawWithProtocol258AndFreeBsdHasPfDivert44() {
        assertEquals(3, BsdAbi.SOCK_RAW);
        assertEquals(258, BsdAbi.IPPROTO_DIVERT);
        assertEquals(44, BsdAbi.FREEBSD.pfDivert);
        assertEquals(0, BsdAbi.OPENBSD.pfDivert);
    }

    @Test
    void socketTypeFlagsDifferBetweenFreeBsdAndOpenBsd() {
        assertEquals(0x10000000, BsdAbi.FREEBSD.sockCloexec);
        assertEquals(0x20000000, BsdAbi.FREEBSD.sockNonblock);
        assertEquals(0x30000000, BsdAbi.FREEBSD.socketFlags());
        assertEquals(0x8000, BsdAbi.OPENBSD.sockCloexec);
        assertEquals(0x4000, BsdAbi.OPENBSD.sockNonblock);
        assertEquals(0xC000, BsdAbi.OPENBSD.socketFlags());
    }

    @Test
    void pipeFlagsAreNonBlockingAndCloseOnExecPerSystem() {
        assertEquals(0x4, BsdAbi.O_NONBLOCK);
        assertEquals(0x00100000, BsdAbi.FREEBSD.oCloexec);
        assertEquals(0x00100004, BsdAbi.FREEBSD.pipeFlags());
        assertEquals(0x10000, BsdAbi.OPENBSD.oCloexec);
        assertEquals(0x10004, BsdAbi.OPENBSD.pipeFlags());
    }

    @Test
    void socketOptionsAgreeAndOnlyFreeBsdHasReusePortLb() {
        assertEquals(0xffff, BsdAbi.SOL_SOCKET);
        assertEquals(0x1001, BsdAbi.SO_SNDBUF);
        assertEquals(0x1002, BsdAbi.SO_RCVBUF);
        assertEquals(0x0200, BsdAbi.SO_REUSEPORT);
        assertEquals(0x00010000, BsdAbi.FREEBSD.soReuseportLb);
        assertEquals(0, BsdAbi.OPENBSD.soReuseportLb);
    }

    @Test
    void onlyFreeBsdAndOpenBsdHaveDivertSockets() {
        assertSame(BsdAbi.FREEBSD, BsdAbi.of(Os.FREEBSD));
        assertSame(BsdAbi.OPENBSD, BsdAbi.of(Os.OPENBSD));
        assertThrows(UnsupportedOperationException.class, () -> BsdAbi.of(Os.MACOS));
        assertThrows(UnsupportedOperationException.class, () -> BsdAbi.of(Os.LINUX));
    }

    @Test
    void bsdMsghdrIs48BytesWithIntLengthsAndMmsghdrAddsMsgLenAt48() {
        // docs/ABI.md#bsd-message-headers: msghdr 48 (name @0, namelen @8, iov @16, iovlen @24,
        // control @32, controllen @40, flags @44), mmsghdr 56 with msg_len @48, iovec 16.
        MsgLayout bsd = MsgLayout.BSD;
        assertEquals(48, bsd.msghdrSize);
        assertEquals(44, bsd.flagsOffset);
        assertEquals(56, bsd.mmsghdrSize);
        assertEquals(48, bsd.msgLenOffset);
        assertEquals(false, bsd.wideLengths);
        assertEquals(0, MsgLayout.MSG_NAME);
        assertEquals(8, MsgLayout.MSG_NAMELEN);
        assertEquals(16, MsgLayout.MSG_IOV);
        assertEquals(24, MsgLayout.MSG_IOVLEN);
        assertEquals(32, MsgLayout.MSG_CONTROL);
        assertEquals(40, MsgLayout.MSG_CONTROLLEN);
        assertEquals(16, MsgLayout.IOVEC_SIZE);
        assertEquals(0, MsgLayout.IOV_BASE);
        assertEquals(8, MsgLayout.IOV_LEN);
    }

    @Test
    void messageNameSpaceHoldsEitherSockaddr() {
        // docs/ABI.md#bsd-socket-addresses: the kernel writes up to a 28-byte sockaddr_in6 into
        // each message's name space, whose size MsgArray fixes once for every system.
        assertEquals(28, BsdSockaddr.MAX_SIZE);
        assertTrue(MsgArray.NAME_SIZE >= BsdSockaddr.MAX_SIZE);
    }

    @Test
    void messageTruncatedFlagIs4point4BsdsValue() {
        // docs/ABI.md#bsd-message-headers: sys/socket.h of FreeBSD and OpenBSD (Linux differs: 0x20).
        assertEquals(0x10, BsdDivertSocket.MSG_TRUNC);
    }

    @Test
    void errnoNumbersAreTheReferenceOnesOnTheBsds() {
        // The same number on every system, so checked as they are (docs/ABI.md#errno).
        assertEquals(1, Errno.EPERM);
        assertEquals(2, Errno.ENOENT);
        assertEquals(4, Errno.EINTR);
        assertEquals(9, Errno.EBADF);
        assertEquals(12, Errno.ENOMEM);
        assertEquals(13, Errno.EACCES);
        assertEquals(16, Errno.EBUSY);
        assertEquals(22, Errno.EINVAL);
        // The BSD numbers where Linux differs.
        assertEquals(35, Errno.Bsd.EAGAIN);
        assertEquals(39, Errno.Bsd.EDESTADDRREQ);
        assertEquals(40, Errno.Bsd.EMSGSIZE);
        assertEquals(43, Errno.Bsd.EPROTONOSUPPORT);
        assertEquals(46, Errno.Bsd.EPFNOSUPPORT);
        assertEquals(47, Errno.Bsd.EAFNOSUPPORT);
        assertEquals(48, Errno.Bsd.EADDRINUSE);
        assertEquals(49, Errno.Bsd.EADDRNOTAVAIL);
        assertEquals(50, Errno.Bsd.ENETDOWN);
        assertEquals(51, Errno.Bsd.ENETUNREACH);
        assertEquals(55, Errno.Bsd.ENOBUFS);
        assertEquals(65, Errno.Bsd.EHOSTUNREACH);
        // docs/ABI.md#errno: sys/errno.h of FreeBSD and OpenBSD (macOS differs: 102).
        assertEquals(45, Errno.Bsd.EOPNOTSUPP);
    }
}
