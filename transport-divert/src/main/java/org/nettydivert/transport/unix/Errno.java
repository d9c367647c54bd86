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
package org.nettydivert.transport.unix;

/**
 * The errno values the transport acts on, for the system it runs on. Linux numbers its errors
 * differently from the BSDs above 34; FreeBSD and OpenBSD agree on every value used here. macOS
 * (102 for EOPNOTSUPP) never gets here: it is refused before anything loads ({@code
 * docs/ABI.md#d3-macos-eopnotsupp}). Linux values are pinned against the system headers by
 * {@code LinuxAbiTest}, BSD values against the table in {@code docs/ABI.md#errno} by {@code
 * BsdAbiTest}.
 */
public final class Errno {
    private Errno() {}

    private static final boolean LINUX = Os.CURRENT == Os.LINUX;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int EAGAIN = LINUX ? 11 : Bsd.EAGAIN;
    public static final int EDESTADDRREQ = LINUX ? 89 : Bsd.EDESTADDRREQ;
    public static final int EMSGSIZE = LINUX ? 90 : Bsd.EMSGSIZE;
    public static final int EPROTONOSUPPORT = LINUX ? 93 : Bsd.EPROTONOSUPPORT;
    public static final int EOPNOTSUPP = LINUX ? 95 : Bsd.EOPNOTSUPP;
    public static final int EPFNOSUPPORT = LINUX ? 96 : Bsd.EPFNOSUPPORT;
    public static final int EAFNOSUPPORT = LINUX ? 97 : Bsd.EAFNOSUPPORT;
    public static final int EADDRINUSE = LINUX ? 98 : Bsd.EADDRINUSE;
    public static final int EADDRNOTAVAIL = LINUX ? 99 : Bsd.EADDRNOTAVAIL;
    public static final int ENETDOWN = LINUX ? 100 : Bsd.ENETDOWN;
    public static final int ENETUNREACH = LINUX ? 101 : Bsd.ENETUNREACH;
    public static final int ENOBUFS = LINUX ? 105 : Bsd.ENOBUFS;
    public static final int EHOSTUNREACH = LINUX ? 113 : Bsd.EHOSTUNREACH;

    /**
     * The BSD numbers of the errors Linux numbers otherwise (FreeBSD and OpenBSD agree on them),
     * apart so that tests on Linux can pin them to {@code docs/ABI.md#errno}. The others above
     * are the same number on every system.
     */
    public static final class Bsd {
        private Bsd() {}

        public static final int EAGAIN = 35;
        public static final int EDESTADDRREQ = 39;
        public static final int EMSGSIZE = 40;
        public static final int EPROTONOSUPPORT = 43;
        public static final int EOPNOTSUPP = 45;
        public static final int EPFNOSUPPORT = 46;
        public static final int EAFNOSUPPORT = 47;
        public static final int EADDRINUSE = 48;
        public static final int EADDRNOTAVAIL = 49;
        public static final int ENETDOWN = 50;
        public static final int ENETUNREACH = 51;
        public static final int ENOBUFS = 55;
        public static final int EHOSTUNREACH = 65;
    }

    private static final int[] VALUES = {
        EPERM,
        ENOENT,
        EINTR,
        EBADF,
        ENOMEM,
        EACCES,
        EBUSY,
        EINVAL,
        EAGAIN,
        EDESTADDRREQ,
        EMSGSIZE,
        EPROTONOSUPPORT,
        EOPNOTSUPP,
        EPFNOSUPPORT,
        EAFNOSUPPORT,
        EADDRINUSE,
        EADDRNOTAVAIL,
        ENETDOWN,
        ENETUNREACH,
        ENOBUFS,
        EHOSTUNREACH
    };
    private static final String[] NAMES = {
        "EPERM",
        "ENOENT",
        "EINTR",
        "EBADF",
        "ENOMEM",
        "EACCES",
        "EBUSY",
        "EINVAL",
        "EAGAIN",
        "EDESTADDRREQ",
        "EMSGSIZE",
        "EPROTONOSUPPORT",
        "EOPNOTSUPP",
        "EPFNOSUPPORT",
        "EAFNOSUPPORT",
        "EADDRINUSE",
        "EADDRNOTAVAIL",
        "ENETDOWN",
        "ENETUNREACH",
        "ENOBUFS",
        "EHOSTUNREACH"
    };

    /** The symbolic name of {@code errno}, or {@code "errno N"} for one we do not name. */
    public static String name(int errno) {
        for (int i = 0; i < VALUES.length; i++) {
            if (VALUES[i] == errno) {
                return NAMES[i];
            }
        }
        return "errno " + errno;
    }
}
