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
package org.nettydivert.testkit.impair;

import io.netty.buffer.ByteBuf;

/**
 * The few IPv4/IPv6 header fields the impairment handlers need, read from a datagram at its
 * reader index. The testkit does not depend on codec-ip (a test may not want it on its class
 * path), so this is a small reader of its own; it never throws on short or odd packets, it
 * answers "unknown" (-1) instead.
 */
final class IpHeaders {
    static final int TCP = 6;
    static final int UDP = 17;

    private IpHeaders() {}

    /** 4, 6, or -1 for anything else (including an empty buffer). */
    static int version(ByteBuf ip) {
        if (!ip.isReadable()) {
            return -1;
        }
        int version = ip.getUnsignedByte(ip.readerIndex()) >> 4;
        if (version == 4 && ip.readableBytes() >= 20) {
            return 4;
        }
        if (version == 6 && ip.readableBytes() >= 40) {
            return 6;
        }
        return -1;
    }

    /**
     * The transport protocol and its offset from the reader index, packed as {@code protocol << 32
     * | offset}; the offset is -1 for non-first fragments and for headers cut short. -1 when not
     * an IP datagram.
     */
    static long transport(ByteBuf ip) {
        int base = ip.readerIndex();
        int length = ip.readableBytes();
        int version = version(ip);
        if (version == 4) {
            int ihl = (ip.getUnsignedByte(base) & 0x0F) * 4;
            int protocol = ip.getUnsignedByte(base + 9);
            boolean laterFragment = (ip.getUnsignedShort(base + 6) & 0x1FFF) != 0;
            int offset = ihl < 20 || ihl > length || laterFragment ? -1 : ihl;
            return ((long) protocol << 32) | (offset & 0xFFFF_FFFFL);
        }
        if (version != 6) {
            return -1;
        }
        int next = ip.getUnsignedByte(base + 6);
        int offset = 40;
        // Extension headers the transport header can sit behind; their lengths count differently.
        while (offset + 8 <= length && (next == 0 || next == 43 || next == 44 || next == 51 || next == 60)) {
            int following = ip.getUnsignedByte(base + offset);
            if (next == 44) {
                if ((ip.getUnsignedShort(base + offset + 2) >> 3) != 0) {
                    return ((long) following << 32) | 0xFFFF_FFFFL; // not the first fragment: no ports
                }
                offset += 8;
            } else if (next == 51) {
                offset += (ip.getUnsignedByte(base + offset + 1) + 2) * 4;
            } else {
                offset += (ip.getUnsignedByte(base + offset + 1) + 1) * 8;
            }
            next = following;
        }
        return ((long) next << 32) | ((offset > length ? -1 : offset) & 0xFFFF_FFFFL);
    }

    /** The transport protocol number, or -1 when not an IP datagram. */
    static int protocol(ByteBuf ip) {
        long transport = transport(ip);
        return transport == -1 ? -1 : (int) (transport >>> 32);
    }

    /** The transport header's offset from the reader index, or -1 when unknown. */
    static int transportOffset(ByteBuf ip) {
        long transport = transport(ip);
        return transport == -1 ? -1 : (int) transport;
    }

    /** Whether {@code protocol} has 16-bit source and destination ports first (TCP, UDP, DCCP, SCTP, UDP-Lite). */
    private static boolean hasPorts(int protocol) {
        return protocol == TCP || protocol == UDP || protocol == 33 || protocol == 132 || protocol == 136;
    }

    /** The source port (0) or destination port (2) of a datagram with ports, else -1. */
    static int port(ByteBuf ip, int field) {
        long transport = transport(ip);
        int offset = (int) transport;
        if (transport == -1 || offset < 0 || !hasPorts((int) (transport >>> 32)) || offset + 4 > ip.readableBytes()) {
            return -1;
        }
        return ip.getUnsignedShort(ip.readerIndex() + offset + field);
    }

    /** Whether the source ({@code destination} false) or destination address is {@code address}. */
    static boolean addressIs(ByteBuf ip, boolean destination, byte[] address) {
        int version = version(ip);
        int base = ip.readerIndex();
        int at;
        if (version == 4 && address.length == 4) {
            at = base + (destination ? 16 : 12);
        } else if (version == 6 && address.length == 16) {
            at = base + (destination ? 24 : 8);
        } else {
            return false;
        }
        for (int i = 0; i < address.length; i++) {
            if (ip.getByte(at + i) != address[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where the transport payload starts, from the reader index: after the UDP header, after the
     * TCP header with its options, right after the IP headers for other protocols; -1 when
     * unknown.
     */
    static int payloadOffset(ByteBuf ip) {
        long transport = transport(ip);
        int offset = (int) transport;
        if (transport == -1 || offset < 0) {
            return -1;
        }
        int protocol = (int) (transport >>> 32);
        int length = ip.readableBytes();
        if (protocol == UDP) {
            return offset + 8 <= length ? offset + 8 : -1;
        }
        if (protocol == TCP) {
            if (offset + 20 > length) {
                return -1;
            }
            int headerLength = (ip.getUnsignedByte(ip.readerIndex() + offset + 12) >> 4) * 4;
            return headerLength >= 20 && offset + headerLength <= length ? offset + headerLength : -1;
        }
        return offset;
    }

    /**
     * Computes the TCP or UDP checksum of the datagram again, over the pseudo-header and the
     * transport segment up to the end of the buffer. Does nothing (and answers false) for other
     * protocols, fragments, and IPv4 UDP datagrams sent without a checksum (0), which stay so.
     */
    static boolean recomputeTransportChecksum(ByteBuf ip) {
        long transport = transport(ip);
        int offset = (int) transport;
        if (transport == -1 || offset < 0) {
            return false;
        }
        int protocol = (int) (transport >>> 32);
        int base = ip.readerIndex();
        int end = ip.writerIndex();
        int version = version(ip);
        if (version == 4 && (ip.getUnsignedShort(base + 6) & 0x2000) != 0) {
            return false; // the first of several fragments: the rest of the segment is not here
        }
        int checksumAt;
        if (protocol == UDP && offset + 8 <= end - base) {
            checksumAt = base + offset + 6;
            if (version == 4 && ip.getUnsignedShort(checksumAt) == 0) {
                return false;
            }
        } else if (protocol == TCP && offset + 20 <= end - base) {
            checksumAt = base + offset + 16;
        } else {
            return false;
        }
        int segmentLength = end - base - offset;
        long sum = 0;
        if (version == 4) {
            sum += sumWords(ip, base + 12, base + 20);
        } else {
            sum += sumWords(ip, base + 8, base + 40);
        }
        sum += protocol + segmentLength;
        ip.setShort(checksumAt, 0);
        sum += sumWords(ip, base + offset, end);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int checksum = (int) (~sum & 0xFFFF);
        // In UDP an all-zero checksum means "none": a computed zero is sent as all ones (RFC 768).
        ip.setShort(checksumAt, checksum == 0 && protocol == UDP ? 0xFFFF : checksum);
        return true;
    }

    /** The one's complement sum's raw parts of the 16-bit words from {@code from} to {@code to}, an odd byte padded. */
    private static long sumWords(ByteBuf buf, int from, int to) {
        long sum = 0;
        int i = from;
        for (; i + 1 < to; i += 2) {
            sum += buf.getUnsignedShort(i);
        }
        if (i < to) {
            sum += buf.getUnsignedByte(i) << 8;
        }
        return sum;
    }
}
