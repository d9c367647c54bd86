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

import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Os;

/**
 * The socket and file constants of the two divert systems, each recorded with the header it
 * comes from in {@code docs/ABI.md} (sections bsd-divert-socket, bsd-socket-options,
 * bsd-file-flags) and pinned to that record by {@code BsdAbiTest}: no BSD header is at hand in
 * the build to check them against. Where the systems agree the value is a plain constant; where
 * they differ it is a field of the system's instance. Errno values live in {@link Errno}.
 */
public enum BsdAbi {
    FREEBSD(28, 0x10000000, 0x20000000, 0x00100000, 0x00010000, 44),
    // No SO_REUSEPORT_LB, no PF_DIVERT (0: absent).
    OPENBSD(24, 0x8000, 0x4000, 0x10000, 0, 0);

    public static final int AF_INET = 2;
    public static final int SOCK_RAW = 3;
    /** The protocol of a divert socket made in AF_INET (FreeBSD before 14, OpenBSD: also AF_INET6). */
    public static final int IPPROTO_DIVERT = 258;

    public static final int SOL_SOCKET = 0xffff;
    public static final int SO_REUSEPORT = 0x0200;
    public static final int SO_SNDBUF = 0x1001;
    public static final int SO_RCVBUF = 0x1002;

    public static final int O_NONBLOCK = 0x4;

    public final int afInet6;
    public final int sockCloexec;
    public final int sockNonblock;
    public final int oCloexec;
    /** SO_REUSEPORT_LB, or 0 where absent. */
    public final int soReuseportLb;
    /** PF_DIVERT (FreeBSD 14+), or 0 where absent. */
    public final int pfDivert;

    BsdAbi(int afInet6, int sockCloexec, int sockNonblock, int oCloexec, int soReuseportLb, int pfDivert) {
        this.afInet6 = afInet6;
        this.sockCloexec = sockCloexec;
        this.sockNonblock = sockNonblock;
        this.oCloexec = oCloexec;
        this.soReuseportLb = soReuseportLb;
        this.pfDivert = pfDivert;
    }

    /** The flags for a non-blocking, close-on-exec socket: added to the socket type. */
    public int socketFlags() {
        return sockNonblock | sockCloexec;
    }

    /** The flags for a non-blocking, close-on-exec {@code pipe2}. */
    public int pipeFlags() {
        return O_NONBLOCK | oCloexec;
    }

    /** The divert system this JVM runs on. */
    public static BsdAbi current() {
        return of(Os.CURRENT);
    }

    public static BsdAbi of(Os os) {
        switch (os) {
            case FREEBSD:
                return FREEBSD;
            case OPENBSD:
                return OPENBSD;
            default:
                throw new UnsupportedOperationException("no divert sockets on " + os);
        }
    }
}
