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
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;
import org.nettydivert.transport.DivertAddress.Direction;

/**
 * Decides, for {@link OfflineReplay}, which way a captured datagram was travelling, since a pcap
 * file does not say. Given the datagram's buffer, readable from the IP header on.
 */
@FunctionalInterface
public interface DirectionRule {
    /** The direction of the datagram readable in {@code datagram}; must not move its indexes. */
    Direction directionOf(ByteBuf datagram);

    /** Every datagram is {@code direction}. */
    static DirectionRule always(Direction direction) {
        return datagram -> direction;
    }

    /**
     * Datagrams whose source is in one of {@code networks} are {@link Direction#OUTBOUND}, the rest
     * {@link Direction#INBOUND}: name this host's addresses or networks in CIDR notation, IPv4 or
     * IPv6 ({@code "10.0.0.0/8"}, {@code "2001:db8::/32"}, {@code "192.0.2.7"}).
     *
     * @throws IllegalArgumentException when a network cannot be parsed
     */
    static DirectionRule outboundFrom(String... networks) {
        List<byte[]> prefixes = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        for (String network : networks) {
            int slash = network.indexOf('/');
            String host = slash < 0 ? network : network.substring(0, slash);
            // Literals only: a host name here would mean a DNS lookup per rule, and a wrong answer.
            byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
            if (address == null) {
                throw new IllegalArgumentException("not an IP address literal: " + network);
            }
            int length = address.length * 8;
            if (slash >= 0) {
                String bits = network.substring(slash + 1);
                // Digits only: parseInt would take "+8", and its own message names no network.
                length = bits.matches("[0-9]{1,3}") ? Integer.parseInt(bits) : -1;
            }
            if (length < 0 || length > address.length * 8) {
                throw new IllegalArgumentException("bad prefix length: " + network);
            }
            prefixes.add(address);
            lengths.add(length);
        }
        return datagram -> {
            int ip = datagram.readerIndex();
            int version = datagram.readableBytes() == 0 ? 0 : datagram.getUnsignedByte(ip) >>> 4;
            int at = version == 4 ? ip + Ipv4Header.SOURCE_OFFSET : ip + Ipv6Header.SOURCE_OFFSET;
            int size = version == 4 ? 4 : 16;
            if ((version != 4 && version != 6) || at + size > datagram.writerIndex()) {
                return Direction.INBOUND;
            }
            for (int i = 0; i < prefixes.size(); i++) {
                if (prefixes.get(i).length == size && matches(datagram, at, prefixes.get(i), lengths.get(i))) {
                    return Direction.OUTBOUND;
                }
            }
            return Direction.INBOUND;
        };
    }

    private static boolean matches(ByteBuf buf, int at, byte[] prefix, int bits) {
        int whole = bits >>> 3;
        for (int i = 0; i < whole; i++) {
            if (buf.getByte(at + i) != prefix[i]) {
                return false;
            }
        }
        int rest = bits & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (buf.getByte(at + whole) & mask) == (prefix[whole] & mask);
    }
}
