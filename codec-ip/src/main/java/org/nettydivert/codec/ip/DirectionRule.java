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
     * @throws IllegalArgumentException when a network cannot be parsed (see {@link IpNetwork#parse})
     */
    static DirectionRule outboundFrom(String... networks) {
        List<IpNetwork> parsed = new ArrayList<>();
        for (String network : networks) {
            parsed.add(IpNetwork.parse(network));
        }
        return datagram -> {
            int ip = datagram.readerIndex();
            int version = datagram.readableBytes() == 0 ? 0 : datagram.getUnsignedByte(ip) >>> 4;
            int at = version == 4 ? ip + Ipv4Header.SOURCE_OFFSET : ip + Ipv6Header.SOURCE_OFFSET;
            int size = version == 4 ? 4 : 16;
            if ((version != 4 && version != 6) || at + size > datagram.writerIndex()) {
                return Direction.INBOUND;
            }
            for (IpNetwork network : parsed) {
                if (network.addressSize() == size && network.contains(datagram, at)) {
                    return Direction.OUTBOUND;
                }
            }
            return Direction.INBOUND;
        };
    }
}
