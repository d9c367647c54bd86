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

import com.sun.jna.Platform;
import java.nio.ByteOrder;

/** The operating systems the transport knows, and which one this JVM runs on. */
public enum Os {
    LINUX,
    FREEBSD,
    OPENBSD,
    MACOS,
    OTHER;

    public static final Os CURRENT = detect();

    private static Os detect() {
        if (Platform.isLinux()) {
            return LINUX;
        }
        if (Platform.isFreeBSD()) {
            return FREEBSD;
        }
        if (Platform.isOpenBSD()) {
            return OPENBSD;
        }
        if (Platform.isMac()) {
            return MACOS;
        }
        return OTHER;
    }

    /**
     * Why the native layer cannot run here, or {@code null}. Decided before anything native is
     * loaded; see {@link #unsupportedCause(Os, String, String, boolean, ByteOrder)}.
     */
    public static String unsupportedCause() {
        return unsupportedCause(
                CURRENT,
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                Platform.is64Bit(),
                ByteOrder.nativeOrder());
    }

    /**
     * Why the transport cannot run on {@code os} ({@code osName} as Java reports it) on a machine
     * of {@code arch}, or {@code null}. macOS has kqueue but no divert sockets ({@code
     * ip_divert.c} left XNU with ipfw in OS X 10.10), so it is refused here rather than failing
     * at the first bind. Struct layouts are written for 64-bit little-endian machines (amd64,
     * arm64), the only ones the supported systems ship on that Java runs well on.
     */
    public static String unsupportedCause(Os os, String osName, String arch, boolean is64Bit, ByteOrder order) {
        if (os == MACOS) {
            return "macOS has no divert sockets (divert left macOS with ipfw in OS X 10.10): run netty-divert in a"
                    + " FreeBSD or OpenBSD VM (divert sockets), or on Linux with NFQUEUE";
        }
        if (os == OTHER) {
            return "no packet diversion on " + osName
                    + ": netty-divert runs on Linux (NFQUEUE), FreeBSD and OpenBSD (divert sockets)";
        }
        if (!is64Bit || order != ByteOrder.LITTLE_ENDIAN) {
            return "netty-divert needs a 64-bit little-endian machine (amd64 or arm64), not " + arch;
        }
        return null;
    }

    /**
     * What to say when JNA, or its native library, fails to load on {@code os} and {@code arch}
     * with {@code failure}. JNA 5.19.1 ships {@code libjnidispatch} for freebsd-x86-64,
     * freebsd-aarch64 and openbsd-x86-64 but not openbsd-aarch64; the OpenBSD one needs libffi
     * from packages and the FreeBSD one FreeBSD 13 or later ({@code docs/ABI.md#native-libraries}).
     * Only a missing JNA class means the jar is missing; otherwise the class path is not to blame.
     */
    public static String nativeLoadFailure(Os os, String arch, Throwable failure) {
        String text = String.valueOf(failure.getMessage());
        // A missing class is named "com/sun/jna/Native" (NoClassDefFoundError) or
        // "com.sun.jna.Native" (ClassNotFoundException); "Could not initialize class
        // com.sun.jna.Native" is a class that is there but whose native library did not load.
        if ((failure instanceof NoClassDefFoundError && text.startsWith("com/sun/jna/"))
                || (failure instanceof ClassNotFoundException && text.startsWith("com.sun.jna."))) {
            return "JNA is not on the class path (net.java.dev.jna:jna 5.19.1 or later): " + failure;
        }
        String machine = isArm64(arch) ? "aarch64" : isAmd64(arch) ? "x86-64" : arch;
        if (os == OPENBSD) {
            if (isArm64(arch)) {
                return "JNA ships no native library for openbsd-aarch64 (5.19.1 has freebsd-x86-64, freebsd-aarch64"
                        + " and openbsd-x86-64): run on amd64, or build libjnidispatch for this machine from JNA's"
                        + " sources and set jna.boot.library.path to its directory (" + text + ")";
            }
            String ffi = text.contains("ffi")
                    ? "JNA's OpenBSD library needs libffi, which is missing"
                    : "JNA's native library did not load on openbsd-" + machine + "; it needs libffi";
            return ffi + ": install it with pkg_add libffi (" + text + ")";
        }
        if (os == FREEBSD) {
            String start = text.contains("memfd_create") || text.contains("FBSD_1.6")
                    ? "JNA's FreeBSD library needs FreeBSD 13 or later (it links memfd_create@FBSD_1.6), and this"
                            + " FreeBSD is older"
                    : "JNA's native library did not load on freebsd-" + machine + " (it needs FreeBSD 13 or later)";
            return start + " (" + text + ")";
        }
        return "JNA's native library did not load on " + os.name().toLowerCase(java.util.Locale.ROOT) + "-" + machine
                + ": " + failure;
    }

    private static boolean isArm64(String arch) {
        return "aarch64".equals(arch) || "arm64".equals(arch);
    }

    private static boolean isAmd64(String arch) {
        return "amd64".equals(arch) || "x86_64".equals(arch) || "x86-64".equals(arch);
    }
}
