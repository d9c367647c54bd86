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
 * A view of a UDP header (RFC 768); see {@link HeaderView} for the rules every view follows.
 *
 * <p>Over IPv4 a checksum of 0 means "none": verifying accepts it and incremental updates leave it
 * alone, and a computed 0 is stored as 0xFFFF. Over IPv6 a checksum is mandatory (RFC 8200 8.1).
 */
public final class UdpHeader extends PortHeader<UdpHeader> {
    /** The length of a UDP header. */
    public static final int LENGTH = 8;

    static final int LENGTH_OFFSET = 4;
    static final int CHECKSUM_OFFSET = 6;

    /** A view to {@link #wrap} later. */
    public UdpHeader() {
        super(CHECKSUM_OFFSET, LENGTH);
    }

    /** The UDP header length, 8, or -1 when it does not fit in {@code room} bytes. */
    static int headerLengthAt(ByteBuf buf, int offset, int room) {
        return room < LENGTH ? -1 : LENGTH;
    }

    @Override
    UdpHeader self() {
        return this;
    }

    @Override
    public int headerLength() {
        return LENGTH;
    }

    /** The length field: header plus payload. */
    public int length() {
        return buf.getUnsignedShort(offset + LENGTH_OFFSET);
    }

    /**
     * Sets the length field. It appears in the pseudo-header as well, so after changing the payload
     * recompute the checksum with {@link #updateChecksum(int, int)}.
     */
    public UdpHeader setLength(int length) {
        buf.setShort(offset + LENGTH_OFFSET, length);
        return this;
    }

    /** Whether the sender computed a checksum (the field is not 0). */
    public boolean hasChecksum() {
        return checksum() != 0;
    }

    /** Accepts a checksum of 0 ("none", IPv4 only); otherwise checks it. */
    @Override
    public boolean verifyChecksum(int pseudoHeaderSum, int length) {
        return !hasChecksum() || super.verifyChecksum(pseudoHeaderSum, length);
    }

    /** A computed 0 is stored as 0xFFFF, since 0 means "none". */
    @Override
    int storedForm(int computed) {
        return computed == 0 ? 0xFFFF : computed;
    }

    /** Leaves a checksum of 0 ("none") alone; a result of 0 is stored as 0xFFFF. */
    @Override
    public void adjustChecksum(int oldSum, int newSum) {
        if (hasChecksum()) {
            int adjusted = InternetChecksum.adjust(checksum(), oldSum, newSum);
            setChecksum(adjusted == 0 ? 0xFFFF : adjusted);
        }
    }

    @Override
    public String toString() {
        return "UdpHeader(" + sourcePort() + " > " + destinationPort() + ", len " + length() + ")";
    }
}
