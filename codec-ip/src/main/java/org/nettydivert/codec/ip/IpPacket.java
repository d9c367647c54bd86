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
import io.netty.util.ReferenceCounted;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * A diverted IP datagram with its layers found: what {@link IpPacketDecoder} passes on and {@link
 * IpPacketEncoder} turns back into a {@link DivertPacket}.
 *
 * <p>The packet owns the {@code DivertPacket} it was decoded from, buffer and {@link DivertAddress}
 * alike, and shares its reference count: release it (or write it) exactly once. The layer offsets
 * are found once, at decode; the header views ({@link #ipv4()}, {@link #tcp()}...) read and write
 * the original buffer in place. A non-first fragment has no transport header: {@link #tcp()} and
 * friends return {@code null} for it, as they do for a protocol codec-ip has no view for.
 *
 * <p>Rewrite through the views or through the setters here; the {@code ...UpdatingChecksum}
 * setters and {@link #setSourceAddress}/{@link #setDestinationAddress}/{@link #setSourcePort}/
 * {@link #setDestinationPort} keep every checksum right without a full pass.
 */
public final class IpPacket implements ReferenceCounted {
    private final DivertPacket packet;

    // Layout, written once by IpPacketParser; absolute indexes into content().
    int version;
    int l3Offset;
    int transportOffset;
    int payloadOffset;
    int end;
    int protocol;
    boolean fragment;
    int fragmentOffset;
    boolean moreFragments;
    // The protocol table's row for the transport header found, null when none was.
    TransportProtocol transport;

    private Ipv4Header ipv4;
    private Ipv6Header ipv6;
    private TransportHeader transportHeader;

    IpPacket(DivertPacket packet) {
        this.packet = packet;
    }

    /**
     * Parses {@code packet}. On success the result owns {@code packet}; on failure the caller still
     * does.
     *
     * @throws MalformedPacketException when the datagram cannot be parsed
     */
    public static IpPacket decode(DivertPacket packet) {
        IpPacketParser parser = new IpPacketParser();
        IpPacket result = new IpPacket(Objects.requireNonNull(packet, "packet"));
        MalformedReason reason = parser.parse(result);
        if (reason != null) {
            throw new MalformedPacketException(reason, parser.detail());
        }
        return result;
    }

    /** The {@code DivertPacket} this packet was decoded from, sharing its buffer and reference count. */
    public DivertPacket packet() {
        return packet;
    }

    /** The whole buffer; the datagram runs from {@link #l3Offset()} to {@link #endOffset()}. */
    public ByteBuf content() {
        return packet.content();
    }

    /** The address the datagram was read with; writing the packet back uses it. */
    public DivertAddress address() {
        return packet.address();
    }

    /** 4 or 6. */
    public int version() {
        return version;
    }

    /** Whether this is an IPv4 datagram. */
    public boolean isIpv4() {
        return version == 4;
    }

    /** Whether this is an IPv6 datagram. */
    public boolean isIpv6() {
        return version == 6;
    }

    /** The transport protocol ({@link IpProtocol}): for IPv6 the one after the extension headers. */
    public int protocol() {
        return protocol;
    }

    /** The absolute index of the IP header. */
    public int l3Offset() {
        return l3Offset;
    }

    /** The absolute index of the transport header (for a non-first fragment: of its data). */
    public int transportOffset() {
        return transportOffset;
    }

    /** The absolute index of the transport payload; equal to {@link #transportOffset()} when no header was parsed. */
    public int payloadOffset() {
        return payloadOffset;
    }

    /** The absolute index just past the datagram (its total length from {@link #l3Offset()}). */
    public int endOffset() {
        return end;
    }

    /** The datagram's length: the IPv4 total length, or 40 plus the IPv6 payload length. */
    public int length() {
        return end - l3Offset;
    }

    /** The transport length, header included: what the pseudo-header counts. */
    public int transportLength() {
        return end - transportOffset;
    }

    /** The payload length after the transport header. */
    public int payloadLength() {
        return end - payloadOffset;
    }

    /** Whether the datagram is a fragment (IPv4 MF or offset; IPv6 fragment header). */
    public boolean isFragment() {
        return fragment;
    }

    /** The fragment offset in bytes, 0 for a first fragment or a whole datagram. */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    /** Whether more fragments follow. */
    public boolean moreFragments() {
        return moreFragments;
    }

    /**
     * Whether a transport header was found: a protocol in codec-ip's table (TCP, UDP, ICMP for IPv4,
     * ICMPv6 for IPv6), never for a non-first fragment.
     */
    public boolean hasTransportHeader() {
        return transport != null;
    }

    /** The IPv4 header, or {@code null} for IPv6. */
    public Ipv4Header ipv4() {
        if (version != 4) {
            return null;
        }
        if (ipv4 == null) {
            ipv4 = new Ipv4Header().wrap(content(), l3Offset);
        }
        return ipv4;
    }

    /** The IPv6 header with its extension chain walked, or {@code null} for IPv4. */
    public Ipv6Header ipv6() {
        if (version != 6) {
            return null;
        }
        if (ipv6 == null) {
            ipv6 = new Ipv6Header().wrap(content(), l3Offset);
            ipv6.walkExtensions(end);
        }
        return ipv6;
    }

    /** The TCP header, or {@code null} when there is none. */
    public TcpHeader tcp() {
        return protocol == IpProtocol.TCP ? (TcpHeader) transportHeader() : null;
    }

    /** The UDP header, or {@code null} when there is none. */
    public UdpHeader udp() {
        return protocol == IpProtocol.UDP ? (UdpHeader) transportHeader() : null;
    }

    /** The ICMP (IPv4) header, or {@code null} when there is none (ICMPv6 is {@link #icmpv6()}). */
    public IcmpHeader icmp() {
        return protocol == IpProtocol.ICMP ? (IcmpHeader) transportHeader() : null;
    }

    /** The ICMPv6 header, or {@code null} when there is none. */
    public Icmpv6Header icmpv6() {
        return protocol == IpProtocol.ICMPV6 ? (Icmpv6Header) transportHeader() : null;
    }

    /**
     * The transport header of type {@code type}, or {@code null} when there is none or it is of
     * another type: {@code p.transportHeader(GreHeader.class)}.
     */
    public <T extends TransportHeader> T transportHeader(Class<T> type) {
        TransportHeader header = transportHeader();
        return type.isInstance(header) ? type.cast(header) : null;
    }

    /**
     * The transport header whatever it is, or {@code null} when none was found: a non-first
     * fragment, or a protocol codec-ip has no view for.
     */
    public TransportHeader transportHeader() {
        if (transport == null) {
            return null;
        }
        if (transportHeader == null) {
            transportHeader = transport.newView(content(), transportOffset);
        }
        return transportHeader;
    }

    /** The source address; allocates. */
    public InetAddress sourceAddress() {
        return version == 4 ? ipv4().sourceInetAddress() : ipv6().sourceInetAddress();
    }

    /** The destination address; allocates. */
    public InetAddress destinationAddress() {
        return version == 4 ? ipv4().destinationInetAddress() : ipv6().destinationInetAddress();
    }

    /** The TCP or UDP source port, or -1. */
    public int sourcePort() {
        return hasPorts() ? content().getUnsignedShort(transportOffset + PortHeader.SOURCE_PORT_OFFSET) : -1;
    }

    /** The TCP or UDP destination port, or -1. */
    public int destinationPort() {
        return hasPorts() ? content().getUnsignedShort(transportOffset + PortHeader.DESTINATION_PORT_OFFSET) : -1;
    }

    private boolean hasPorts() {
        return transport != null && (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP);
    }

    /** The IPv4 TTL or the IPv6 hop limit. */
    public int ttl() {
        return version == 4 ? ipv4().ttl() : ipv6().hopLimit();
    }

    /** Sets the IPv4 TTL (updating the header checksum) or the IPv6 hop limit. */
    public IpPacket setTtl(int ttl) {
        if (version == 4) {
            ipv4().setTtlUpdatingChecksum(ttl);
        } else {
            ipv6().setHopLimit(ttl);
        }
        return this;
    }

    /**
     * Rewrites the source address, updating the IPv4 header checksum and, for a transport protocol
     * whose checksum covers the pseudo-header (TCP, UDP, ICMPv6), the transport checksum,
     * incrementally. Checksums that do not cover the addresses (ICMPv4, GRE) are left alone.
     *
     * @throws IllegalArgumentException when the address family is not the datagram's
     */
    public IpPacket setSourceAddress(InetAddress address) {
        rewriteAddress(address, true);
        return this;
    }

    /** Rewrites the destination address; see {@link #setSourceAddress(InetAddress)}. */
    public IpPacket setDestinationAddress(InetAddress address) {
        rewriteAddress(address, false);
        return this;
    }

    private void rewriteAddress(InetAddress address, boolean source) {
        TransportHeader header = pseudoHeaderChecksummed();
        if (version == 4) {
            if (!(address instanceof Inet4Address)) {
                throw new IllegalArgumentException("IPv4 datagram, address " + address);
            }
            int newAddress = Ipv4Header.toInt((Inet4Address) address);
            Ipv4Header ip = ipv4();
            int old = source ? ip.sourceAddress() : ip.destinationAddress();
            if (source) {
                ip.setSourceAddressUpdatingChecksum(newAddress);
            } else {
                ip.setDestinationAddressUpdatingChecksum(newAddress);
            }
            if (header != null) {
                header.adjustChecksumForAddress(old, newAddress);
            }
        } else {
            if (!(address instanceof Inet6Address)) {
                throw new IllegalArgumentException("IPv6 datagram, address " + address);
            }
            Ipv6Header ip = ipv6();
            int at = l3Offset + (source ? Ipv6Header.SOURCE_OFFSET : Ipv6Header.DESTINATION_OFFSET);
            int oldSum = source ? ip.sourceAddressSum() : ip.destinationAddressSum();
            content().setBytes(at, address.getAddress());
            if (header != null) {
                header.adjustChecksum(oldSum, source ? ip.sourceAddressSum() : ip.destinationAddressSum());
            }
        }
    }

    /** The transport header whose checksum covers the addresses, or {@code null}. */
    private TransportHeader pseudoHeaderChecksummed() {
        return transport != null && transport.coversPseudoHeader() ? transportHeader() : null;
    }

    /** Rewrites the TCP or UDP source port, updating the checksum incrementally. */
    public IpPacket setSourcePort(int port) {
        rewritePort(port, true);
        return this;
    }

    /** Rewrites the TCP or UDP destination port, updating the checksum incrementally. */
    public IpPacket setDestinationPort(int port) {
        rewritePort(port, false);
        return this;
    }

    private void rewritePort(int port, boolean source) {
        if (!hasPorts()) {
            throw new IllegalStateException("no TCP or UDP header: " + this);
        }
        PortHeader<?> header = (PortHeader<?>) transportHeader();
        if (source) {
            header.setSourcePortUpdatingChecksum(port);
        } else {
            header.setDestinationPortUpdatingChecksum(port);
        }
    }

    /**
     * The pseudo-header sum for the transport checksum as the protocol sees it: 0 for a protocol
     * whose checksum covers no pseudo-header (ICMPv4, GRE).
     */
    public int pseudoHeaderSum() {
        TransportProtocol row = transport != null ? transport : TransportProtocol.of(version, protocol);
        if (row != null && !row.coversPseudoHeader()) {
            return 0;
        }
        return version == 4
                ? ipv4().pseudoHeaderSum(protocol, transportLength())
                : ipv6().pseudoHeaderSum(protocol, transportLength());
    }

    /**
     * Whether every checksum is right: the IPv4 header's, and the transport header's when the datagram is
     * whole (a fragment's transport checksum covers data in other fragments). A UDP checksum of 0
     * passes over IPv4 ("none") and fails over IPv6, where it is mandatory.
     */
    public boolean verifyChecksums() {
        if (version == 4 && !ipv4().verifyChecksum()) {
            return false;
        }
        TransportHeader header = transportHeader();
        if (header == null || fragment) {
            return true;
        }
        if (version == 6 && protocol == IpProtocol.UDP && ((UdpHeader) header).checksum() == 0) {
            return false;
        }
        return header.verifyChecksum(pseudoHeaderSum(), transportLength());
    }

    /**
     * Whether the checksums are right, partial (offloaded: the TCP or UDP field holds the
     * pseudo-header sum only) or wrong; see {@link ChecksumStatus}.
     */
    public ChecksumStatus checksumStatus() {
        return ChecksumStatus.of(this);
    }

    /** Whether the checksums pass {@code policy}: {@link ChecksumPolicy#ACCEPT_PARTIAL} lets offloaded ones through. */
    public boolean verifyChecksums(ChecksumPolicy policy) {
        return policy.accepts(checksumStatus());
    }

    /** Recomputes the IPv4 header checksum, from scratch; nothing for IPv6, which has none. */
    public IpPacket updateIpChecksum() {
        if (version == 4) {
            ipv4().updateChecksum();
        }
        return this;
    }

    /**
     * Recomputes every checksum from scratch: the IPv4 header's, and the transport header's when the
     * datagram is whole. Needed after changing the payload or its length.
     */
    public IpPacket updateChecksums() {
        updateIpChecksum();
        TransportHeader header = transportHeader();
        if (header != null && !fragment) {
            header.updateChecksum(pseudoHeaderSum(), transportLength());
        }
        return this;
    }

    @Override
    public int refCnt() {
        return packet.refCnt();
    }

    @Override
    public IpPacket retain() {
        packet.retain();
        return this;
    }

    @Override
    public IpPacket retain(int increment) {
        packet.retain(increment);
        return this;
    }

    @Override
    public IpPacket touch() {
        packet.touch();
        return this;
    }

    @Override
    public IpPacket touch(Object hint) {
        packet.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return packet.release();
    }

    @Override
    public boolean release(int decrement) {
        return packet.release(decrement);
    }

    /**
     * One line in the manner of tcpdump: {@code IPv4 10.0.0.1.1234 > 10.0.0.2.80 TCP [S] seq 1 win
     * 64240 len 0}. Allocates; for people.
     */
    @Override
    public String toString() {
        if (refCnt() == 0) {
            return "IpPacket(released)";
        }
        StringBuilder sb = new StringBuilder(96).append(version == 4 ? "IPv4 " : "IPv6 ");
        appendEndpoint(sb, sourceAddress(), sourcePort()).append(" > ");
        appendEndpoint(sb, destinationAddress(), destinationPort()).append(' ').append(IpProtocol.name(protocol));
        if (fragment) {
            sb.append(" frag id ")
                    .append(version == 4 ? ipv4().identification() : ipv6().fragmentIdentification())
                    .append(" offset ")
                    .append(fragmentOffset)
                    .append(moreFragments ? "+" : "");
        }
        TcpHeader tcp = tcp();
        IcmpMessageHeader icmp = version == 4 ? icmp() : icmpv6();
        if (tcp != null) {
            tcp.appendFlags(sb.append(" [")).append("] seq ").append(Integer.toUnsignedString(tcp.sequenceNumber()));
            if (tcp.hasFlags(TcpHeader.ACK)) {
                sb.append(" ack ").append(Integer.toUnsignedString(tcp.acknowledgmentNumber()));
            }
            sb.append(" win ").append(tcp.window());
        } else if (icmp != null) {
            if (icmp.isEchoRequest() || icmp.isEchoReply()) {
                sb.append(icmp.isEchoRequest() ? " echo request" : " echo reply")
                        .append(" id ")
                        .append(icmp.identifier())
                        .append(" seq ")
                        .append(icmp.sequenceNumber());
            } else {
                sb.append(" type ").append(icmp.type()).append(" code ").append(icmp.code());
            }
        }
        return sb.append(" len ").append(payloadLength()).toString();
    }

    private static StringBuilder appendEndpoint(StringBuilder sb, InetAddress address, int port) {
        sb.append(address.getHostAddress());
        return port < 0 ? sb : sb.append('.').append(port);
    }
}
