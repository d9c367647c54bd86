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
package org.nettydivert.transport;

import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Native;
import org.nettydivert.transport.unix.Os;

/**
 * Whether this system can run {@link DivertChannel}s, and if not, why: as Netty's {@code Epoll}
 * and {@code KQueue} classes do. This checks that the system is one we support and that the
 * native library loads; privileges and kernel support are checked when a channel binds, where
 * the error says what to do.
 */
public final class Divert {
    private static final Throwable UNAVAILABILITY_CAUSE = probe();

    private Divert() {}

    private static Throwable probe() {
        String unsupported = Os.unsupportedCause();
        if (unsupported != null) {
            return new UnsupportedOperationException(unsupported);
        }
        try {
            // Loads JNA and binds the calls every system needs.
            Native.Posix.strerror(Errno.EINVAL);
            return null;
        } catch (Throwable t) {
            // Say which of JNA's packaging limits this is (no library for the machine, libffi,
            // FreeBSD release) rather than blaming the class path for a jar that is there.
            return new UnsupportedOperationException(
                    Os.nativeLoadFailure(Os.CURRENT, System.getProperty("os.arch"), rootCause(t)), t);
        }
    }

    /**
     * The error that says why JNA did not load: the first UnsatisfiedLinkError in the chain (a
     * later use of a class whose initialisation failed throws NoClassDefFoundError, with the
     * original as its cause on newer JDKs), else {@code t}.
     */
    private static Throwable rootCause(Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnsatisfiedLinkError) {
                return cause;
            }
        }
        return t;
    }

    /** True when divert channels can be used on this system. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Throws {@link #unavailabilityCause()}, wrapped, when divert channels cannot be used. */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw (Error) new UnsatisfiedLinkError("netty-divert is unavailable: " + UNAVAILABILITY_CAUSE.getMessage())
                    .initCause(UNAVAILABILITY_CAUSE);
        }
    }

    /** Why divert channels cannot be used here, or {@code null} when they can. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }
}
