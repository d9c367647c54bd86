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
     * Why the native layer cannot run here, or {@code null}. Struct layouts are written for
     * 64-bit little-endian machines (amd64, arm64), the only ones the supported systems ship on
     * that Java runs well on.
     */
    public static String unsupportedCause() {
        if (CURRENT == OTHER) {
            return "no packet diversion on " + System.getProperty("os.name")
                    + ": netty-divert runs on Linux (NFQUEUE), FreeBSD and OpenBSD (divert sockets)";
        }
        if (!Platform.is64Bit() || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return "netty-divert needs a 64-bit little-endian machine (amd64 or arm64), not "
                    + System.getProperty("os.arch");
        }
        return null;
    }
}
