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
package org.nettydivert.codec.ip;

import io.netty.buffer.ByteBuf;

/**
 * A cursor over the options of a TCP header: {@link #wrap(TcpHeader)}, then {@code while (next())}
 * read {@link #kind()} and the typed accessors for that kind. NOPs are skipped; End of Option List
 * ends the walk. An option whose length is below 2 or runs past the header ends the walk and sets
 * {@link #isMalformed()}. Reusable and allocation-free, like the header views.
 */
public final class TcpOptions {
    /** End of option list. */
    public static final int END = 0;
    /** No-operation (padding). */
    public static final int NOP = 1;
    /** Maximum segment size, 4 bytes. */
    public static final int MSS = 2;
    /** Window scale (RFC 7323), 3 bytes. */
    public static final int WINDOW_SCALE = 3;
    /** SACK permitted (RFC 2018), 2 bytes. */
    public static final int SACK_PERMITTED = 4;
    /** SACK blocks (RFC 2018), 2 + 8n bytes. */
    public static final int SACK = 5;
    /** Timestamps (RFC 7323), 10 bytes. */
    public static final int TIMESTAMPS = 8;

    private ByteBuf buf;
    private int position;
    private int end;
    private int current = -1;
    private int kind = -1;
    private int length;
    private boolean malformed;

    /** Starts a walk over the options of {@code tcp}. */
    public TcpOptions wrap(TcpHeader tcp) {
        return wrap(tcp.buffer(), tcp.optionsStart(), tcp.optionsEnd());
    }

    /** Starts a walk over option bytes from absolute index {@code start} to {@code end}. */
    public TcpOptions wrap(ByteBuf buf, int start, int end) {
        this.buf = buf;
        this.position = start;
        this.end = end;
        this.current = -1;
        this.kind = -1;
        this.length = 0;
        this.malformed = false;
        return this;
    }

    /** Moves to the next option; {@code false} at the end of the options or on a malformed one. */
    public boolean next() {
        while (position < end) {
            int k = buf.getUnsignedByte(position);
            if (k == END) {
                break;
            }
            if (k == NOP) {
                position++;
                continue;
            }
            if (position + 2 > end) {
                return stop(true);
            }
            int len = buf.getUnsignedByte(position + 1);
            if (len < 2 || position + len > end) {
                return stop(true);
            }
            current = position;
            kind = k;
            length = len;
            position += len;
            return true;
        }
        return stop(false);
    }

    private boolean stop(boolean bad) {
        malformed = bad;
        position = end;
        kind = -1;
        return false;
    }

    /** Whether the walk ended on an option with an impossible length. */
    public boolean isMalformed() {
        return malformed;
    }

    /** The kind of the current option. */
    public int kind() {
        return kind;
    }

    /** The length of the current option, kind and length bytes included. */
    public int length() {
        return length;
    }

    /** The absolute index of the current option's first byte (its kind). */
    public int optionOffset() {
        return current;
    }

    /** The maximum segment size of the current {@link #MSS} option. */
    public int mss() {
        return buf.getUnsignedShort(current + 2);
    }

    /**
     * Sets the current {@link #MSS} option's value. The TCP checksum covers it: use {@link
     * TcpHeader#adjustChecksum(int, int)} with the old and new value, as an MSS clamp does.
     */
    public void setMss(int mss) {
        buf.setShort(current + 2, mss);
    }

    /** The shift count of the current {@link #WINDOW_SCALE} option. */
    public int windowScale() {
        return buf.getUnsignedByte(current + 2);
    }

    /** The number of blocks in the current {@link #SACK} option. */
    public int sackBlockCount() {
        return (length - 2) >>> 3;
    }

    /** The left edge of SACK block {@code i} of the current {@link #SACK} option. */
    public int sackLeftEdge(int i) {
        return buf.getInt(current + 2 + (i << 3));
    }

    /** The right edge of SACK block {@code i} of the current {@link #SACK} option. */
    public int sackRightEdge(int i) {
        return buf.getInt(current + 6 + (i << 3));
    }

    /** TSval of the current {@link #TIMESTAMPS} option. */
    public int timestampValue() {
        return buf.getInt(current + 2);
    }

    /** TSecr of the current {@link #TIMESTAMPS} option. */
    public int timestampEchoReply() {
        return buf.getInt(current + 6);
    }
}
