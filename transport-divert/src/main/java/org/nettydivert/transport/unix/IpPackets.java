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
package org.nettydivert.transport.unix;

import io.netty.buffer.ByteBuf;

/**
 * The little of IP the transport itself must know: enough to refuse a malformed packet before
 * the kernel does, to recompute the IPv4 header checksum on the way out (the divert contract),
 * and on Linux to complete the transport checksums the kernel left for the hardware, so that
 * pipelines see valid checksums as they do on FreeBSD. Full header views live in codec-ip.
 */
public final class IpPackets {
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    private static final int IPV4_MIN_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int IPV4_CHECKSUM = 10;

    private IpPackets() {}

    /** 4, 6, or what else the version nibble says. */
    public static int version(ByteBuf packet, int offset) {
        return (packet.getUnsignedByte(offset) >> 4) & 0xF;
    }

    /**
     * Why the kernel would refuse {@code length} bytes at {@code offset} as an IP datagram, or
     * {@code null} when the header is sound: the checks FreeBSD's divert output and Linux's raw
     * output make (version, header length, total length against the bytes given).
     */
    public static String malformation(ByteBuf packet, int offset, int length) {
        if (length < 1) {
            return "empty packet";
        }
        int version = version(packet, offset);
        if (version == 4) {
            if (length < IPV4_MIN_HEADER) {
                return "IPv4 packet of " + length + " bytes is shorter than its 20-byte header";
            }
            int headerLength = (packet.getUnsignedByte(offset) & 0xF) * 4;
            if (headerLength < IPV4_MIN_HEADER || headerLength > length) {
                return "IPv4 header length " + headerLength + " is not within 20.." + Math.min(60, length);
            }
            int totalLength = packet.getUnsignedShort(offset + 2);
            if (totalLength < headerLength || totalLength > length) {
                return "IPv4 total length " + totalLength + " does not fit the " + length + " bytes written";
            }
            return null;
        }
        if (version == 6) {
            if (length < IPV6_HEADER) {
                return "IPv6 packet of " + length + " bytes is shorter than its 40-byte header";
            }
            int payloadLength = packet.getUnsignedShort(offset + 4);
            if (IPV6_HEADER + payloadLength > length) {
                return "IPv6 payload length " + payloadLength + " does not fit the " + length + " bytes written";
            }
            return null;
        }
        return "IP version " + version + " is neither 4 nor 6";
    }

    /** Recomputes the IPv4 header checksum in place; leaves IPv6 alone (it has none). */
    public static void updateIpv4HeaderChecksum(ByteBuf packet, int offset) {
        if (version(packet, offset) != 4) {
            return;
        }
        int headerLength = (packet.getUnsignedByte(offset) & 0xF) * 4;
        packet.setShort(offset + IPV4_CHECKSUM, 0);
        packet.setShort(offset + IPV4_CHECKSUM, ~fold(sum(packet, offset, headerLength, 0)));
    }

    /**
     * Completes the TCP or UDP checksum of a packet whose checksum field holds only the partial
     * sum that checksum offload leaves there. Other protocols, and IPv6 packets with extension
     * headers before TCP/UDP, are left as they are. Assumes a sound header ({@link #malformation}).
     */
    public static void completeTransportChecksum(ByteBuf packet, int offset, int length) {
        int version = version(packet, offset);
        int protocol;
        int l4;
        int l4Length;
        long pseudo;
        if (version == 4) {
            int headerLength = (packet.getUnsignedByte(offset) & 0xF) * 4;
            protocol = packet.getUnsignedByte(offset + 9);
            l4 = offset + headerLength;
            l4Length = packet.getUnsignedShort(offset + 2) - headerLength;
            pseudo = sum(packet, offset + 12, 8, 0);
        } else if (version == 6) {
            protocol = packet.getUnsignedByte(offset + 6);
            l4 = offset + IPV6_HEADER;
            l4Length = packet.getUnsignedShort(offset + 4);
            pseudo = sum(packet, offset + 8, 32, 0);
        } else {
            return;
        }
        int checksumField;
        if (protocol == PROTO_TCP && l4Length >= 20) {
            checksumField = l4 + 16;
        } else if (protocol == PROTO_UDP && l4Length >= 8) {
            checksumField = l4 + 6;
        } else {
            return;
        }
        if (l4 + l4Length > offset + length) {
            return;
        }
        pseudo += protocol + l4Length;
        packet.setShort(checksumField, 0);
        int checksum = ~fold(sum(packet, l4, l4Length, pseudo)) & 0xFFFF;
        if (checksum == 0 && protocol == PROTO_UDP) {
            checksum = 0xFFFF; // 0 means "no checksum" for UDP
        }
        packet.setShort(checksumField, checksum);
    }

    /** One's-complement sum of {@code length} bytes as big-endian 16-bit words, added to {@code initial}, unfolded. */
    public static long sum(ByteBuf buf, int offset, int length, long initial) {
        long sum = initial;
        int i = offset;
        int end = offset + length;
        // Four 16-bit words at a time: a 32-bit big-endian read adds them with their carries
        // kept in the upper bits of the 64-bit accumulator.
        for (; i + 4 <= end; i += 4) {
            sum += buf.getUnsignedInt(i);
        }
        if (i + 2 <= end) {
            sum += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            sum += buf.getUnsignedByte(i) << 8;
        }
        return sum;
    }

    /** Folds a sum to 16 bits. */
    public static int fold(long sum) {
        sum = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) sum;
    }
}
