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
 * A view of an ICMP header for IPv4 (RFC 792): type, code, checksum and the 4-byte rest of header,
 * read as identifier and sequence number for echo messages. Its checksum has no pseudo-header:
 * pass 0 as the pseudo-header sum. See {@link HeaderView} for the rules every view follows.
 */
public sealed class IcmpHeader extends UpperLayerHeader permits Icmpv6Header {
    /** The length of the fixed part: type, code, checksum, rest of header. */
    public static final int LENGTH = 8;
    /** Echo reply. */
    public static final int ECHO_REPLY = 0;
    /** Destination unreachable. */
    public static final int DESTINATION_UNREACHABLE = 3;
    /** Echo request. */
    public static final int ECHO_REQUEST = 8;
    /** Time exceeded. */
    public static final int TIME_EXCEEDED = 11;

    static final int TYPE_OFFSET = 0;
    static final int CODE_OFFSET = 1;
    static final int CHECKSUM_OFFSET = 2;
    static final int IDENTIFIER_OFFSET = 4;
    static final int SEQUENCE_OFFSET = 6;

    /** A view to {@link #wrap} later. */
    public IcmpHeader() {
        super(CHECKSUM_OFFSET, LENGTH);
    }

    /** Points this view at the ICMP header that starts at absolute index {@code offset} of {@code buf}. */
    public IcmpHeader wrap(ByteBuf buf, int offset) {
        doWrap(buf, offset);
        return this;
    }

    @Override
    public final int headerLength() {
        return LENGTH;
    }

    /** The message type. */
    public final int type() {
        return buf.getUnsignedByte(offset + TYPE_OFFSET);
    }

    /** Sets the type, updating the checksum incrementally. */
    public final void setTypeUpdatingChecksum(int type) {
        setWordUpdatingChecksum(TYPE_OFFSET, (type << 8) | code());
    }

    /** The code. */
    public final int code() {
        return buf.getUnsignedByte(offset + CODE_OFFSET);
    }

    /** The identifier of an echo request or reply. */
    public final int identifier() {
        return buf.getUnsignedShort(offset + IDENTIFIER_OFFSET);
    }

    /** Sets the identifier, updating the checksum incrementally (what a NAT does to echo messages). */
    public final void setIdentifierUpdatingChecksum(int identifier) {
        setWordUpdatingChecksum(IDENTIFIER_OFFSET, identifier);
    }

    /** The sequence number of an echo request or reply. */
    public final int sequenceNumber() {
        return buf.getUnsignedShort(offset + SEQUENCE_OFFSET);
    }

    /** Whether this is an echo request. */
    public boolean isEchoRequest() {
        return type() == ECHO_REQUEST;
    }

    /** Whether this is an echo reply. */
    public boolean isEchoReply() {
        return type() == ECHO_REPLY;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(type " + type() + ", code " + code() + ")";
    }
}
