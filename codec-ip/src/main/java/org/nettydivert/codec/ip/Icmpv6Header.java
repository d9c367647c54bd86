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
 * A view of an ICMPv6 header (RFC 4443): laid out like ICMPv4, but with its own type numbers, and
 * its checksum covers the IPv6 pseudo-header. Not an {@link IcmpHeader}: the two share no
 * constants. See {@link HeaderView} for the rules every view follows.
 */
public final class Icmpv6Header extends IcmpMessageHeader {
    /** The length of the fixed part: type, code, checksum, rest of header. */
    public static final int LENGTH = HEADER_LENGTH;
    /** Destination unreachable. */
    public static final int DESTINATION_UNREACHABLE = 1;
    /** Packet too big. */
    public static final int PACKET_TOO_BIG = 2;
    /** Time exceeded. */
    public static final int TIME_EXCEEDED = 3;
    /** Parameter problem. */
    public static final int PARAMETER_PROBLEM = 4;
    /** Echo request. */
    public static final int ECHO_REQUEST = 128;
    /** Echo reply. */
    public static final int ECHO_REPLY = 129;
    /** Router solicitation. */
    public static final int ROUTER_SOLICITATION = 133;
    /** Router advertisement. */
    public static final int ROUTER_ADVERTISEMENT = 134;
    /** Neighbor solicitation. */
    public static final int NEIGHBOR_SOLICITATION = 135;
    /** Neighbor advertisement. */
    public static final int NEIGHBOR_ADVERTISEMENT = 136;

    /** A view to {@link #wrap} later. */
    public Icmpv6Header() {}

    /** Points this view at the ICMPv6 header that starts at absolute index {@code offset} of {@code buf}. */
    public Icmpv6Header wrap(ByteBuf buf, int offset) {
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
