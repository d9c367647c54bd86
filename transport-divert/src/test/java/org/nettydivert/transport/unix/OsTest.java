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

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Which systems the transport refuses before loading anything, and what it says when JNA's
 * native library does not load: pure functions of the system, the machine and the error, since
 * the build runs on Linux only.
 */
class OsTest {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    @Test
    void macOsIsRefusedSayingItHasNoDivertSocketsAndWhereToRunInstead() {
        for (String arch : new String[] {"aarch64", "x86_64"}) {
            String cause = Os.unsupportedCause(Os.MACOS, "Mac OS X", arch, true, LE);
            assertTrue(cause.contains("macOS has no divert sockets"), cause);
            assertTrue(cause.contains("FreeBSD or OpenBSD VM"), cause);
            assertTrue(cause.contains("Linux with NFQUEUE"), cause);
        }
    }

    @Test
    void theSupportedSystemsOn64BitLittleEndianMachinesAreAccepted() {
        for (Os os : new Os[] {Os.LINUX, Os.FREEBSD, Os.OPENBSD}) {
            assertNull(Os.unsupportedCause(os, "x", "amd64", true, LE), os.name());
        }
    }

    @Test
    void otherSystemsAndMachinesAreRefused() {
        String windows = Os.unsupportedCause(Os.OTHER, "Windows 11", "amd64", true, LE);
        assertTrue(windows.contains("Windows 11"), windows);
        String i386 = Os.unsupportedCause(Os.FREEBSD, "FreeBSD", "i386", false, LE);
        assertTrue(i386.contains("64-bit little-endian") && i386.contains("i386"), i386);
        String s390 = Os.unsupportedCause(Os.LINUX, "Linux", "s390x", true, ByteOrder.BIG_ENDIAN);
        assertTrue(s390.contains("s390x"), s390);
    }

    @Test
    void openBsdOnArm64IsToldJnaShipsNoLibraryForIt() {
        String m = Os.nativeLoadFailure(
                Os.OPENBSD,
                "aarch64",
                new UnsatisfiedLinkError("Native library (com/sun/jna/openbsd-aarch64/"
                        + "libjnidispatch.so) not found in resource path"));
        assertTrue(m.contains("no native library for openbsd-aarch64"), m);
        assertTrue(m.contains("libjnidispatch.so) not found"), m); // the error's own text is kept
        assertFalse(m.contains("class path"), m);
    }

    @Test
    void openBsdOnAmd64IsToldToInstallLibffi() {
        String m = Os.nativeLoadFailure(
                Os.OPENBSD, "amd64", new UnsatisfiedLinkError("Cannot load library: libffi.so.2.0: not found"));
        assertTrue(m.contains("pkg_add libffi"), m);
        assertTrue(m.contains("libffi.so.2.0: not found"), m);
        assertFalse(m.contains("class path"), m);
        // Another text still names libffi, the one dependency the OpenBSD library has.
        String other = Os.nativeLoadFailure(Os.OPENBSD, "amd64", new UnsatisfiedLinkError("something else"));
        assertTrue(other.contains("pkg_add libffi") && other.contains("something else"), other);
    }

    @Test
    void freeBsdBeforeThirteenIsToldJnaNeedsThirteen() {
        String m = Os.nativeLoadFailure(
                Os.FREEBSD,
                "amd64",
                new UnsatisfiedLinkError("/tmp/jna-1/jna123.tmp: Undefined symbol \"memfd_create@FBSD_1.6\""));
        assertTrue(m.contains("FreeBSD 13 or later"), m);
        assertTrue(m.contains("this FreeBSD is older"), m);
        assertFalse(m.contains("class path"), m);
        String other = Os.nativeLoadFailure(Os.FREEBSD, "aarch64", new UnsatisfiedLinkError("other"));
        assertTrue(other.contains("FreeBSD 13 or later") && other.contains("other"), other);
    }

    @Test
    void onlyAMissingJnaClassBlamesTheClassPath() {
        String m = Os.nativeLoadFailure(Os.LINUX, "amd64", new NoClassDefFoundError("com/sun/jna/Native"));
        assertTrue(m.contains("class path"), m);
        String cnf = Os.nativeLoadFailure(Os.LINUX, "amd64", new ClassNotFoundException("com.sun.jna.Native"));
        assertTrue(cnf.contains("class path"), cnf);
        // The class is there; its library failed to load earlier: not a class path problem.
        String init = Os.nativeLoadFailure(
                Os.OPENBSD, "amd64", new NoClassDefFoundError("Could not initialize class com.sun.jna.Native"));
        assertFalse(init.contains("class path"), init);
        assertTrue(init.contains("pkg_add libffi"), init);
        String linux = Os.nativeLoadFailure(Os.LINUX, "amd64", new UnsatisfiedLinkError("noexec /tmp"));
        assertFalse(linux.contains("class path"), linux);
        assertTrue(linux.contains("linux-x86-64") && linux.contains("noexec /tmp"), linux);
    }
}
