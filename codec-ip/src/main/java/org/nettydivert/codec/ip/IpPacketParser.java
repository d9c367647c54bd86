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
 * Finds the layers of one datagram, once, and writes their offsets into an {@link IpPacket}.
 * Reusable; allocates only the detail text of a malformed datagram.
 */
final class IpPacketParser {
    private final Ipv4Header ipv4 = new Ipv4Header();
    private final Ipv6Header ipv6 = new Ipv6Header();
    private String detail;

    /** The text that goes with the reason the last {@link #parse} returned. */
    String detail() {
        return detail;
    }

    /** Fills in {@code packet}'s layout; {@code null} when the datagram is sound, the reason otherwise. */
    MalformedReason parse(IpPacket packet) {
        ByteBuf buf = packet.content();
        int start = buf.readerIndex();
        int available = buf.readableBytes();
        packet.l3Offset = start;
        if (available < 1) {
            return fail(MalformedReason.TRUNCATED, "empty datagram");
        }
        int version = buf.getUnsignedByte(start) >>> 4;
        packet.version = version;
        int transportStart;
        if (version == 4) {
            if (available < Ipv4Header.MIN_LENGTH) {
                return fail(MalformedReason.TRUNCATED, available + " bytes, IPv4 header needs 20");
            }
            ipv4.wrap(buf, start);
            int headerLength = ipv4.headerLength();
            if (headerLength < Ipv4Header.MIN_LENGTH || headerLength > available) {
                return fail(MalformedReason.BAD_IHL, "IHL " + ipv4.ihl() + " in " + available + " bytes");
            }
            int total = ipv4.totalLength();
            if (total < headerLength || total > available) {
                return fail(
                        MalformedReason.BAD_TOTAL_LENGTH,
                        "total length " + total + ", header " + headerLength + ", " + available + " bytes");
            }
            packet.end = start + total;
            packet.protocol = ipv4.protocol();
            packet.fragment = ipv4.isFragment();
            packet.fragmentOffset = ipv4.fragmentOffset();
            packet.moreFragments = ipv4.moreFragments();
            transportStart = start + headerLength;
        } else if (version == 6) {
            if (available < Ipv6Header.LENGTH) {
                return fail(MalformedReason.TRUNCATED, available + " bytes, IPv6 header needs 40");
            }
            ipv6.wrap(buf, start);
            int total = ipv6.totalLength();
            if (total > available) {
                return fail(
                        MalformedReason.BAD_TOTAL_LENGTH,
                        "payload length " + ipv6.payloadLength() + ", " + available + " bytes");
            }
            packet.end = start + total;
            if (ipv6.walkExtensions(packet.end) != null) {
                return fail(MalformedReason.BAD_EXTENSION_CHAIN, "extension header past byte " + total);
            }
            packet.protocol = ipv6.transportProtocol();
            packet.fragment = ipv6.isFragment();
            packet.fragmentOffset = ipv6.fragmentOffset();
            packet.moreFragments = ipv6.moreFragments();
            transportStart = ipv6.transportOffset();
        } else {
            return fail(MalformedReason.UNKNOWN_VERSION, "version " + version);
        }
        packet.transportOffset = transportStart;
        packet.payloadOffset = transportStart;
        packet.transport = null;
        if (packet.fragmentOffset != 0) {
            // Only the first fragment carries the transport header.
            return null;
        }
        TransportProtocol transport = TransportProtocol.of(version, packet.protocol);
        if (transport == null) {
            // A protocol we have no view for (or ICMP of the other IP version): no transport header.
            return null;
        }
        int headerLength = transport.lengthRule.headerLength(buf, transportStart, packet.end - transportStart);
        if (headerLength < 0) {
            return fail(
                    MalformedReason.TRANSPORT_TRUNCATED,
                    transport.name + " header at byte " + (transportStart - start) + " of " + (packet.end - start));
        }
        packet.transport = transport;
        packet.payloadOffset = transportStart + headerLength;
        return null;
    }

    private MalformedReason fail(MalformedReason reason, String text) {
        detail = text;
        return reason;
    }
}
