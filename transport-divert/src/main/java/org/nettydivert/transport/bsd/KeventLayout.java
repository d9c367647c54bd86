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
import org.nettydivert.transport.unix.Os;

/**
 * {@code struct kevent} as each kqueue system lays it out (amd64/arm64, little-endian), with
 * the filter and flag constants the poller uses. Values and their sources are in {@code
 * docs/ABI.md#kqueue}, pinned by {@code KeventLayoutTest}: none of this can be checked against
 * a kernel here.
 *
 * <p>The first 32 bytes agree everywhere; FreeBSD 12 grew the struct to 64 bytes with {@code
 * ext[4]}, and the {@code kevent} symbol that {@code dlsym} (so JNA) finds is the 64-byte one.
 * Entries are addressed by index: entry {@code i} starts at {@code i * size}.
 */
public final class KeventLayout {
    public static final int IDENT_OFFSET = 0;
    public static final int FILTER_OFFSET = 8;
    public static final int FLAGS_OFFSET = 10;
    public static final int FFLAGS_OFFSET = 12;
    public static final int DATA_OFFSET = 16;
    public static final int UDATA_OFFSET = 24;
    /** FreeBSD only: {@code uint64_t ext[4]}, zeroed on every change we submit. */
    public static final int EXT_OFFSET = 32;

    public static final short EVFILT_READ = -1;
    public static final short EVFILT_WRITE = -2;
    public static final short EVFILT_TIMER = -7;

    public static final int EV_ADD = 0x0001;
    public static final int EV_DELETE = 0x0002;
    public static final int EV_ENABLE = 0x0004;
    public static final int EV_DISABLE = 0x0008;
    public static final int EV_ONESHOT = 0x0010;
    public static final int EV_CLEAR = 0x0020;
    public static final int EV_RECEIPT = 0x0040;
    public static final int EV_ERROR = 0x4000;
    public static final int EV_EOF = 0x8000;

    public static final int NOTE_FFNOP = 0;
    public static final int NOTE_TRIGGER = 0x01000000;

    /** {@link #userFilter} of a system without EVFILT_USER: the poller wakes itself with a pipe. */
    public static final short NO_USER_FILTER = 0;

    public static final KeventLayout FREEBSD = new KeventLayout("FreeBSD", 64, (short) -11);
    // EVFILT_USER arrived in OpenBSD 7.8 only (sys/sys/event.h rev 1.74, docs/ABI.md#kqueue):
    // older releases would reject the registration, so OpenBSD always takes the pipe.
    public static final KeventLayout OPENBSD = new KeventLayout("OpenBSD", 32, NO_USER_FILTER);
    // macOS's layout stays as a pinned fact of docs/ABI.md#kqueue; of() refuses macOS, which has
    // no divert sockets.
    public static final KeventLayout MACOS = new KeventLayout("macOS", 32, (short) -10);

    public final String system;
    /** Bytes per entry. */
    public final int size;
    /** EVFILT_USER's value, or {@link #NO_USER_FILTER}. */
    public final short userFilter;

    private KeventLayout(String system, int size, short userFilter) {
        this.system = system;
        this.size = size;
        this.userFilter = userFilter;
    }

    /** The layout of the system this JVM runs on. */
    public static KeventLayout current() {
        return of(Os.CURRENT);
    }

    public static KeventLayout of(Os os) {
        switch (os) {
            case FREEBSD:
                return FREEBSD;
            case OPENBSD:
                return OPENBSD;
            case MACOS:
                // The layout is known (MACOS), but the transport does not run there at all.
                throw new UnsupportedOperationException(Os.unsupportedCause(os, "macOS", "", true, null));
            default:
                throw new UnsupportedOperationException("no kqueue on " + os);
        }
    }

    public boolean hasUserFilter() {
        return userFilter != NO_USER_FILTER;
    }

    /** Byte offset of entry {@code i}. */
    public int offset(int i) {
        return i * size;
    }

    /** Writes a whole entry {@code i} (the FreeBSD extension zeroed) into {@code buf}. */
    public void write(ByteBuf buf, int i, long ident, short filter, int flags, int fflags, long data, long udata) {
        int at = offset(i);
        buf.setLongLE(at + IDENT_OFFSET, ident);
        buf.setShortLE(at + FILTER_OFFSET, filter);
        buf.setShortLE(at + FLAGS_OFFSET, flags);
        buf.setIntLE(at + FFLAGS_OFFSET, fflags);
        buf.setLongLE(at + DATA_OFFSET, data);
        buf.setLongLE(at + UDATA_OFFSET, udata);
        if (size > EXT_OFFSET) {
            buf.setZero(at + EXT_OFFSET, size - EXT_OFFSET);
        }
    }

    public long ident(ByteBuf buf, int i) {
        return buf.getLongLE(offset(i) + IDENT_OFFSET);
    }

    public short filter(ByteBuf buf, int i) {
        return buf.getShortLE(offset(i) + FILTER_OFFSET);
    }

    /** The flags, an unsigned short. */
    public int flags(ByteBuf buf, int i) {
        return buf.getUnsignedShortLE(offset(i) + FLAGS_OFFSET);
    }

    public int fflags(ByteBuf buf, int i) {
        return buf.getIntLE(offset(i) + FFLAGS_OFFSET);
    }

    /** Filter-specific data; for an EV_ERROR entry, the errno (0 for a successful EV_RECEIPT). */
    public long data(ByteBuf buf, int i) {
        return buf.getLongLE(offset(i) + DATA_OFFSET);
    }

    public long udata(ByteBuf buf, int i) {
        return buf.getLongLE(offset(i) + UDATA_OFFSET);
    }

    @Override
    public String toString() {
        return "struct kevent (" + system + ", " + size + " bytes)";
    }
}
