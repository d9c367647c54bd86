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
 * A view of a GRE header (RFC 2784, with the key and sequence number of RFC 2890): flags and
 * version, the protocol type of the payload, then a checksum, a key and a sequence number, each
 * present only when its flag is set. See {@link HeaderView} for the rules every view follows.
 *
 * <p>The checksum, when the C bit is set, covers the GRE header and payload and no pseudo-header:
 * rewriting the IP addresses leaves it as it is. Without the C bit there is no checksum field;
 * {@link #checksum()} then reads other bytes, and verifying passes.
 */
public final class GreHeader extends TransportHeader {
    /** The length of the header without optional fields. */
    public static final int MIN_LENGTH = 4;
    /** Protocol type of an IPv4 payload (an EtherType). */
    public static final int PROTOCOL_TYPE_IPV4 = 0x0800;
    /** Protocol type of an IPv6 payload (an EtherType). */
    public static final int PROTOCOL_TYPE_IPV6 = 0x86DD;

    private static final int FLAGS_VERSION_OFFSET = 0;
    private static final int PROTOCOL_TYPE_OFFSET = 2;
    private static final int CHECKSUM_OFFSET = 4;
    private static final int FLAG_CHECKSUM = 0x8000;
    private static final int FLAG_KEY = 0x2000;
    private static final int FLAG_SEQUENCE = 0x1000;
    // RFC 2637 (PPTP's enhanced GRE, version 1) adds an acknowledgment number after the sequence number.
    private static final int FLAG_ACKNOWLEDGMENT_V1 = 0x0080;
    private static final int VERSION_MASK = 0x0007;

    /** A view to {@link #wrap} later. */
    public GreHeader() {
        super(CHECKSUM_OFFSET, MIN_LENGTH);
    }

    /** The length of the GRE header at {@code offset} (from its flags), or -1 when it does not fit. */
    static int headerLengthAt(ByteBuf buf, int offset, int room) {
        if (room < MIN_LENGTH) {
            return -1;
        }
        int length = lengthFor(buf.getUnsignedShort(offset + FLAGS_VERSION_OFFSET));
        return length > room ? -1 : length;
    }

    private static int lengthFor(int flags) {
        int length = MIN_LENGTH;
        if ((flags & FLAG_CHECKSUM) != 0) {
            length += 4; // checksum and reserved
        }
        if ((flags & FLAG_KEY) != 0) {
            length += 4;
        }
        if ((flags & FLAG_SEQUENCE) != 0) {
            length += 4;
        }
        if ((flags & VERSION_MASK) == 1 && (flags & FLAG_ACKNOWLEDGMENT_V1) != 0) {
            length += 4;
        }
        return length;
    }

    /** Points this view at the GRE header that starts at absolute index {@code offset} of {@code buf}. */
    public GreHeader wrap(ByteBuf buf, int offset) {
        doWrap(buf, offset);
        return this;
    }

    private int flags() {
        return buf.getUnsignedShort(offset + FLAGS_VERSION_OFFSET);
    }

    @Override
    public int headerLength() {
        return lengthFor(flags());
    }

    /** The version: 0 for GRE, 1 for PPTP's enhanced GRE. */
    public int version() {
        return flags() & VERSION_MASK;
    }

    /** The protocol type of the payload, an EtherType such as {@link #PROTOCOL_TYPE_IPV4}. */
    public int protocolType() {
        return buf.getUnsignedShort(offset + PROTOCOL_TYPE_OFFSET);
    }

    /** Whether the C bit is set: the header has a checksum. */
    public boolean hasChecksum() {
        return (flags() & FLAG_CHECKSUM) != 0;
    }

    @Override
    boolean hasChecksumField() {
        return hasChecksum();
    }

    /** Whether the K bit is set: the header has a key. */
    public boolean hasKey() {
        return (flags() & FLAG_KEY) != 0;
    }

    /** The key; meaningful only when {@link #hasKey()}. */
    public int key() {
        return buf.getInt(offset + MIN_LENGTH + ((flags() & FLAG_CHECKSUM) != 0 ? 4 : 0));
    }

    /** Whether the S bit is set: the header has a sequence number. */
    public boolean hasSequenceNumber() {
        return (flags() & FLAG_SEQUENCE) != 0;
    }

    /** The sequence number; meaningful only when {@link #hasSequenceNumber()}. */
    public int sequenceNumber() {
        int flags = flags();
        int at = MIN_LENGTH + ((flags & FLAG_CHECKSUM) != 0 ? 4 : 0) + ((flags & FLAG_KEY) != 0 ? 4 : 0);
        return buf.getInt(offset + at);
    }

    @Override
    public String toString() {
        return "GreHeader(version " + version() + ", protocol type 0x" + Integer.toHexString(protocolType())
                + (hasChecksum() ? ", checksum" : "") + (hasKey() ? ", key " + Integer.toUnsignedString(key()) : "")
                + ")";
    }
}
