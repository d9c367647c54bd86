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
 * the original buffer in place. A non-first fragment has no upper-layer header: {@link #tcp()} and
 * friends return {@code null} for it.
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
    int l4Offset;
    int payloadOffset;
    int end;
    int protocol;
    boolean fragment;
    int fragmentOffset;
    boolean moreFragments;
    boolean hasL4Header;

    private Ipv4Header ipv4;
    private Ipv6Header ipv6;
    private UpperLayerHeader l4;

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

    /** The upper-layer protocol ({@link IpProtocol}): for IPv6 the one after the extension headers. */
    public int protocol() {
        return protocol;
    }

    /** The absolute index of the IP header. */
    public int l3Offset() {
        return l3Offset;
    }

    /** The absolute index of the upper-layer header (for a non-first fragment: of its data). */
    public int l4Offset() {
        return l4Offset;
    }

    /** The absolute index of the upper-layer payload; equal to {@link #l4Offset()} when no header was parsed. */
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

    /** The upper-layer length, header included: what the pseudo-header counts. */
    public int l4Length() {
        return end - l4Offset;
    }

    /** The payload length after the upper-layer header. */
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

    /** Whether a TCP, UDP, ICMP or ICMPv6 header was found (never for a non-first fragment). */
    public boolean hasUpperLayerHeader() {
        return hasL4Header;
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
        return protocol == IpProtocol.TCP && hasL4Header ? (TcpHeader) upperLayer() : null;
    }

    /** The UDP header, or {@code null} when there is none. */
    public UdpHeader udp() {
        return protocol == IpProtocol.UDP && hasL4Header ? (UdpHeader) upperLayer() : null;
    }

    /** The ICMP (IPv4) header, or {@code null} when there is none. */
    public IcmpHeader icmp() {
        return protocol == IpProtocol.ICMP && hasL4Header ? (IcmpHeader) upperLayer() : null;
    }

    /** The ICMPv6 header, or {@code null} when there is none. */
    public Icmpv6Header icmpv6() {
        return protocol == IpProtocol.ICMPV6 && hasL4Header ? (Icmpv6Header) upperLayer() : null;
    }

    /** The upper-layer header whatever it is, or {@code null} when none was parsed. */
    public UpperLayerHeader upperLayer() {
        if (!hasL4Header) {
            return null;
        }
        if (l4 == null) {
            switch (protocol) {
                case IpProtocol.TCP:
                    l4 = new TcpHeader().wrap(content(), l4Offset);
                    break;
                case IpProtocol.UDP:
                    l4 = new UdpHeader().wrap(content(), l4Offset);
                    break;
                case IpProtocol.ICMPV6:
                    l4 = new Icmpv6Header().wrap(content(), l4Offset);
                    break;
                default:
                    l4 = new IcmpHeader().wrap(content(), l4Offset);
                    break;
            }
        }
        return l4;
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
        return hasPorts() ? content().getUnsignedShort(l4Offset + TransportHeader.SOURCE_PORT_OFFSET) : -1;
    }

    /** The TCP or UDP destination port, or -1. */
    public int destinationPort() {
        return hasPorts() ? content().getUnsignedShort(l4Offset + TransportHeader.DESTINATION_PORT_OFFSET) : -1;
    }

    private boolean hasPorts() {
        return hasL4Header && (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP);
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
     * Rewrites the source address, updating the IPv4 header checksum and the upper-layer checksum's
     * pseudo-header part incrementally.
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
        UpperLayerHeader header = pseudoHeaderChecksummed();
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

    /** The upper-layer header whose checksum covers the addresses, or {@code null}. */
    private UpperLayerHeader pseudoHeaderChecksummed() {
        UpperLayerHeader header = upperLayer();
        return header == null || protocol == IpProtocol.ICMP ? null : header;
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
        TransportHeader<?> header = (TransportHeader<?>) upperLayer();
        if (source) {
            header.setSourcePortUpdatingChecksum(port);
        } else {
            header.setDestinationPortUpdatingChecksum(port);
        }
    }

    /** The pseudo-header sum for the upper layer as the checksum sees it: 0 for ICMPv4, which has none. */
    public int pseudoHeaderSum() {
        if (protocol == IpProtocol.ICMP) {
            return 0;
        }
        return version == 4
                ? ipv4().pseudoHeaderSum(protocol, l4Length())
                : ipv6().pseudoHeaderSum(protocol, l4Length());
    }

    /**
     * Whether every checksum is right: the IPv4 header's, and the upper layer's when the datagram is
     * whole (a fragment's upper-layer checksum covers data in other fragments). A UDP checksum of 0
     * passes over IPv4 ("none") and fails over IPv6, where it is mandatory.
     */
    public boolean verifyChecksums() {
        if (version == 4 && !ipv4().verifyChecksum()) {
            return false;
        }
        UpperLayerHeader header = upperLayer();
        if (header == null || fragment) {
            return true;
        }
        if (version == 6 && protocol == IpProtocol.UDP && ((UdpHeader) header).checksum() == 0) {
            return false;
        }
        return header.verifyChecksum(pseudoHeaderSum(), l4Length());
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
     * Recomputes every checksum from scratch: the IPv4 header's, and the upper layer's when the
     * datagram is whole. Needed after changing the payload or its length.
     */
    public IpPacket updateChecksums() {
        updateIpChecksum();
        UpperLayerHeader header = upperLayer();
        if (header != null && !fragment) {
            header.updateChecksum(pseudoHeaderSum(), l4Length());
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
        IcmpHeader icmp = version == 4 ? icmp() : icmpv6();
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
