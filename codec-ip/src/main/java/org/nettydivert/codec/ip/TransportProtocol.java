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
import java.util.function.Supplier;

/**
 * One row of the protocol table: what codec-ip knows about a transport protocol number, and the
 * table itself. The parser asks a row how long the header is, {@link IpPacket} asks it for a view
 * and whether the checksum covers the pseudo-header (so that an address rewrite adjusts exactly
 * the checksums that cover addresses). A protocol number without a row gives no transport header
 * view: the datagram still decodes, with {@link IpPacket#hasTransportHeader()} false.
 *
 * <p>To add a protocol: write its view (a {@link TransportHeader} subclass with a static header
 * length rule) and add one {@link #register} line below.
 */
final class TransportProtocol {
    /** What a protocol's checksum covers. */
    enum Checksum {
        /** The transport packet plus the IP pseudo-header (TCP, UDP, ICMPv6). */
        PSEUDO_HEADER,
        /** The transport packet only (ICMPv4; GRE when its C bit is set). */
        PACKET_ONLY,
        /**
         * The protocol has no checksum (no such row yet): its view overrides {@code
         * TransportHeader.hasChecksumField()} to return false, so verifying passes and updates write nothing.
         */
        NONE
    }

    /** How long the header at {@code offset} is, given {@code room} bytes to the end of the datagram. */
    @FunctionalInterface
    interface HeaderLengthRule {
        /** The header length, or -1 when the header does not fit in {@code room} or is impossible. */
        int headerLength(ByteBuf buf, int offset, int room);
    }

    private static final int IPV4 = 1;
    private static final int IPV6 = 2;
    private static final int BOTH = IPV4 | IPV6;

    // Indexed by protocol number; one table per IP version because ICMP numbers are per version.
    private static final TransportProtocol[] V4 = new TransportProtocol[256];
    private static final TransportProtocol[] V6 = new TransportProtocol[256];

    static {
        register(BOTH, IpProtocol.TCP, "TCP", Checksum.PSEUDO_HEADER, TcpHeader::headerLengthAt, TcpHeader::new);
        register(BOTH, IpProtocol.UDP, "UDP", Checksum.PSEUDO_HEADER, UdpHeader::headerLengthAt, UdpHeader::new);
        register(IPV4, IpProtocol.ICMP, "ICMP", Checksum.PACKET_ONLY, IcmpHeader::headerLengthAt, IcmpHeader::new);
        register(
                IPV6,
                IpProtocol.ICMPV6,
                "ICMP6",
                Checksum.PSEUDO_HEADER,
                Icmpv6Header::headerLengthAt,
                Icmpv6Header::new);
        register(BOTH, IpProtocol.GRE, "GRE", Checksum.PACKET_ONLY, GreHeader::headerLengthAt, GreHeader::new);
    }

    final int number;
    final String name;
    final Checksum checksum;
    final HeaderLengthRule lengthRule;
    private final Supplier<? extends TransportHeader> viewFactory;

    private TransportProtocol(
            int number,
            String name,
            Checksum checksum,
            HeaderLengthRule lengthRule,
            Supplier<? extends TransportHeader> viewFactory) {
        this.number = number;
        this.name = name;
        this.checksum = checksum;
        this.lengthRule = lengthRule;
        this.viewFactory = viewFactory;
    }

    private static void register(
            int versions,
            int number,
            String name,
            Checksum checksum,
            HeaderLengthRule lengthRule,
            Supplier<? extends TransportHeader> viewFactory) {
        TransportProtocol row = new TransportProtocol(number, name, checksum, lengthRule, viewFactory);
        if ((versions & IPV4) != 0) {
            V4[number] = row;
        }
        if ((versions & IPV6) != 0) {
            V6[number] = row;
        }
    }

    /** The row for {@code protocol} over IP {@code version} (4 or 6), or {@code null} when we parse no such header. */
    static TransportProtocol of(int version, int protocol) {
        return (version == 4 ? V4 : V6)[protocol & 0xFF];
    }

    /** The name of {@code protocol} in either table, or {@code null}. */
    static String nameOf(int protocol) {
        TransportProtocol row = V4[protocol & 0xFF];
        if (row == null) {
            row = V6[protocol & 0xFF];
        }
        return row == null ? null : row.name;
    }

    /** A new view of this protocol's header at absolute index {@code offset} of {@code buf}. */
    TransportHeader newView(ByteBuf buf, int offset) {
        TransportHeader view = viewFactory.get();
        view.doWrap(buf, offset);
        return view;
    }

    /** Whether the checksum covers the IP pseudo-header, so that it changes with the addresses. */
    boolean coversPseudoHeader() {
        return checksum == Checksum.PSEUDO_HEADER;
    }
}
