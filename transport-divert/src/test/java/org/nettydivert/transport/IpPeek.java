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
package org.nettydivert.transport;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Reads the few header fields the end-to-end tests look at in a diverted packet, without moving
 * its indices. IPv6 packets are assumed to have no extension headers (true of the tests'
 * traffic); anything else is reported as protocol -1.
 */
final class IpPeek {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int TCP_FIN = 0x01;
    static final int TCP_RST = 0x04;
    static final int TCP_ACK = 0x10;

    private static final int IPV6_HEADER = 40;

    private IpPeek() {}

    static int version(ByteBuf packet) {
        return packet.getUnsignedByte(packet.readerIndex()) >> 4;
    }

    /** The transport protocol number, or -1 for a packet that is neither IPv4 nor IPv6. */
    static int protocol(ByteBuf packet) {
        int at = packet.readerIndex();
        switch (version(packet)) {
            case 4:
                return packet.getUnsignedByte(at + 9);
            case 6:
                return packet.getUnsignedByte(at + 6);
            default:
                return -1;
        }
    }

    /** Where the transport header starts, relative to the reader index. */
    static int transportOffset(ByteBuf packet) {
        return version(packet) == 4 ? (packet.getUnsignedByte(packet.readerIndex()) & 0x0F) * 4 : IPV6_HEADER;
    }

    static int sourcePort(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex() + transportOffset(packet));
    }

    static int destinationPort(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex() + transportOffset(packet) + 2);
    }

    /** TCP: the sequence number. */
    static long tcpSequence(ByteBuf packet) {
        return packet.getUnsignedInt(packet.readerIndex() + transportOffset(packet) + 4);
    }

    /** TCP: the acknowledgment number. */
    static long tcpAcknowledgment(ByteBuf packet) {
        return packet.getUnsignedInt(packet.readerIndex() + transportOffset(packet) + 8);
    }

    /** TCP: the flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10). */
    static int tcpFlags(ByteBuf packet) {
        return packet.getUnsignedByte(packet.readerIndex() + transportOffset(packet) + 13);
    }

    /** The source address. */
    static InetAddress sourceAddress(ByteBuf packet) {
        byte[] address = new byte[version(packet) == 4 ? 4 : 16];
        packet.getBytes(packet.readerIndex() + (address.length == 4 ? 12 : 8), address);
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes make an address", e);
        }
    }

    /** The packet's length as its IP header gives it. */
    static int declaredLength(ByteBuf packet) {
        int at = packet.readerIndex();
        return version(packet) == 4 ? packet.getUnsignedShort(at + 2) : IPV6_HEADER + packet.getUnsignedShort(at + 4);
    }

    /** The bytes after the transport header: TCP segment data, or the UDP datagram's payload. */
    static int transportPayloadLength(ByteBuf packet) {
        int at = packet.readerIndex();
        int ipLength =
                version(packet) == 4 ? packet.getUnsignedShort(at + 2) : IPV6_HEADER + packet.getUnsignedShort(at + 4);
        int transport = transportOffset(packet);
        int transportHeader = protocol(packet) == TCP ? (packet.getUnsignedByte(at + transport + 12) >> 4) * 4 : 8;
        return ipLength - transport - transportHeader;
    }

    /** The transport payload, copied. */
    static byte[] transportPayload(ByteBuf packet) {
        int length = transportPayloadLength(packet);
        int start = packet.readerIndex() + packet.readableBytes() - length;
        byte[] bytes = new byte[length];
        packet.getBytes(start, bytes);
        return bytes;
    }
}
