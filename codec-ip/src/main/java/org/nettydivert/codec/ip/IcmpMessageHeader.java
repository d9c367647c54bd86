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
 * What ICMPv4 and ICMPv6 headers share: the layout (type, code, checksum, and a 4-byte rest of
 * header read as identifier and sequence number for echo messages). Package-private on purpose:
 * the two protocols have different type numbers and checksum rules, so the public types {@link
 * IcmpHeader} and {@link Icmpv6Header} are unrelated and neither's constants can be used for the
 * other by mistake.
 */
abstract class IcmpMessageHeader extends TransportHeader {
    /** The length of the fixed part: type, code, checksum, rest of header. */
    static final int HEADER_LENGTH = 8;

    static final int TYPE_OFFSET = 0;
    static final int CODE_OFFSET = 1;
    static final int CHECKSUM_OFFSET = 2;
    static final int IDENTIFIER_OFFSET = 4;
    static final int SEQUENCE_OFFSET = 6;

    IcmpMessageHeader() {
        super(CHECKSUM_OFFSET, HEADER_LENGTH);
    }

    /** The header length of an ICMP message as the protocol table sees it, or -1 when it does not fit. */
    static int headerLengthAt(ByteBuf buf, int offset, int room) {
        return room < HEADER_LENGTH ? -1 : HEADER_LENGTH;
    }

    @Override
    public final int headerLength() {
        return HEADER_LENGTH;
    }

    /** The message type. */
    public final int type() {
        return buf.getUnsignedByte(offset + TYPE_OFFSET);
    }

    /** Sets the type; the checksum is not updated. */
    public final void setType(int type) {
        buf.setByte(offset + TYPE_OFFSET, type);
    }

    /** Sets the type, updating the checksum incrementally. */
    public final void setTypeUpdatingChecksum(int type) {
        setWordUpdatingChecksum(TYPE_OFFSET, (type << 8) | code());
    }

    /** The code. */
    public final int code() {
        return buf.getUnsignedByte(offset + CODE_OFFSET);
    }

    /** Sets the code; the checksum is not updated. */
    public final void setCode(int code) {
        buf.setByte(offset + CODE_OFFSET, code);
    }

    /** The identifier of an echo request or reply. */
    public final int identifier() {
        return buf.getUnsignedShort(offset + IDENTIFIER_OFFSET);
    }

    /** Sets the identifier; the checksum is not updated. */
    public final void setIdentifier(int identifier) {
        buf.setShort(offset + IDENTIFIER_OFFSET, identifier);
    }

    /** Sets the identifier, updating the checksum incrementally (what a NAT does to echo messages). */
    public final void setIdentifierUpdatingChecksum(int identifier) {
        setWordUpdatingChecksum(IDENTIFIER_OFFSET, identifier);
    }

    /** The sequence number of an echo request or reply. */
    public final int sequenceNumber() {
        return buf.getUnsignedShort(offset + SEQUENCE_OFFSET);
    }

    /** Sets the sequence number; the checksum is not updated. */
    public final void setSequenceNumber(int sequenceNumber) {
        buf.setShort(offset + SEQUENCE_OFFSET, sequenceNumber);
    }

    /** Whether this is an echo request. */
    public abstract boolean isEchoRequest();

    /** Whether this is an echo reply. */
    public abstract boolean isEchoReply();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(type " + type() + ", code " + code() + ")";
    }
}
