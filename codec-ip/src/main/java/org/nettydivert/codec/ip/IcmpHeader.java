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
 * pass 0 as the pseudo-header sum. ICMPv6 is {@link Icmpv6Header}, a separate type with its own
 * type numbers. See {@link HeaderView} for the rules every view follows.
 */
public final class IcmpHeader extends IcmpMessageHeader {
    /** The length of the fixed part: type, code, checksum, rest of header. */
    public static final int LENGTH = HEADER_LENGTH;
    /** Echo reply. */
    public static final int ECHO_REPLY = 0;
    /** Destination unreachable. */
    public static final int DESTINATION_UNREACHABLE = 3;
    /** Echo request. */
    public static final int ECHO_REQUEST = 8;
    /** Time exceeded. */
    public static final int TIME_EXCEEDED = 11;

    /** A view to {@link #wrap} later. */
    public IcmpHeader() {}

    /** Points this view at the ICMP header that starts at absolute index {@code offset} of {@code buf}. */
    public IcmpHeader wrap(ByteBuf buf, int offset) {
        doWrap(buf, offset);
        return this;
    }

    @Override
    public boolean isEchoRequest() {
        return type() == ECHO_REQUEST;
    }

    @Override
    public boolean isEchoReply() {
        return type() == ECHO_REPLY;
    }
}
