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
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * Builds a new IP datagram to inject: IP header first, then one transport header, then the
 * payload. Lengths and checksums are filled in: the IPv4 header checksum, and the transport
 * checksum with the pseudo-header of either IP version (ICMPv4 without, as RFC 792 has it).
 *
 * <pre>{@code
 * DivertPacket syn = IpPacketBuilder.ip("10.0.0.1", "10.0.0.2")
 *         .ttl(64)
 *         .dontFragment(true)
 *         .tcp(40000, 80)
 *         .sequenceNumber(1)
 *         .flags(TcpHeader.SYN)
 *         .window(64240)
 *         .mss(1460)
 *         .sackPermitted()
 *         .timestamps(1, 0)
 *         .nop()
 *         .windowScale(7)
 *         .buildDivertPacket(channel.alloc());      // DivertAddress.outbound()
 * channel.writeAndFlush(syn);
 * }</pre>
 *
 * <p>The IP version follows the addresses. Fields left alone are 0, except the TTL (hop limit),
 * 64. Set the IP fields before choosing the transport ({@link #tcp}, {@link #udp}, {@link #icmp},
 * {@link #icmpv6}); the transport builder reads them when it builds, and can build any number of
 * datagrams. Builders are not thread-safe. Bad input fails at once with an {@link
 * IllegalArgumentException}, or with an {@link IllegalStateException} when a field does not fit the
 * IP version or the datagram would exceed 65535 bytes; each message names the cause and the fix.
 */
public final class IpPacketBuilder {
    /** The largest datagram (IPv4) or payload (IPv6) the 16-bit length fields can describe. */
    private static final int MAX_LENGTH = 0xFFFF;

    private final InetAddress source;
    private final InetAddress destination;
    // getAddress() copies; take the copies once, not per build.
    private final byte[] sourceBytes;
    private final byte[] destinationBytes;
    private final boolean ipv4;
    private int ttl = 64;
    private int dscp;
    private int ecn;
    private int identification;
    private boolean dontFragment;
    private int flowLabel;

    private IpPacketBuilder(InetAddress source, InetAddress destination) {
        this.source = Objects.requireNonNull(source, "source");
        this.destination = Objects.requireNonNull(destination, "destination");
        this.sourceBytes = source.getAddress();
        this.destinationBytes = destination.getAddress();
        this.ipv4 = source instanceof Inet4Address;
        if (ipv4 != (destination instanceof Inet4Address)) {
            throw new IllegalArgumentException("source " + source.getHostAddress() + " is " + family(source)
                    + " but destination " + destination.getHostAddress() + " is " + family(destination)
                    + ": give two addresses of the same IP version");
        }
    }

    /** A datagram from {@code source} to {@code destination}: IPv4 or IPv6 as the addresses are. */
    public static IpPacketBuilder ip(InetAddress source, InetAddress destination) {
        return new IpPacketBuilder(source, destination);
    }

    /**
     * A datagram between two address literals ({@code "10.0.0.1"}, {@code "fd00::1"}); no name is
     * looked up.
     *
     * @throws IllegalArgumentException when either is not an IPv4 or IPv6 literal
     */
    public static IpPacketBuilder ip(String source, String destination) {
        return new IpPacketBuilder(literal(source, "source"), literal(destination, "destination"));
    }

    private static InetAddress literal(String address, String what) {
        InetAddress parsed = NetUtil.createInetAddressFromIpAddressString(Objects.requireNonNull(address, what));
        if (parsed == null) {
            throw new IllegalArgumentException(what + " \"" + address
                    + "\" is not an IP address literal: give one such as 192.0.2.1 or 2001:db8::1, or an"
                    + " InetAddress");
        }
        return parsed;
    }

    private static String family(InetAddress address) {
        return address instanceof Inet6Address ? "IPv6" : "IPv4";
    }

    /** Whether the addresses make this an IPv4 datagram. */
    public boolean isIpv4() {
        return ipv4;
    }

    /** The IPv4 time to live or IPv6 hop limit, 0 to 255; 64 unless set. */
    public IpPacketBuilder ttl(int ttl) {
        this.ttl = checkRange("ttl", ttl, 0xFF);
        return this;
    }

    /** The IPv6 hop limit (or IPv4 time to live): {@link #ttl(int)} by its IPv6 name. */
    public IpPacketBuilder hopLimit(int hopLimit) {
        return ttl(hopLimit);
    }

    /** The Differentiated Services code point, 0 to 63 (RFC 2474): the high 6 bits of TOS or traffic class. */
    public IpPacketBuilder dscp(int dscp) {
        this.dscp = checkRange("dscp", dscp, 0x3F);
        return this;
    }

    /** The ECN bits, 0 to 3 (RFC 3168): the low 2 bits of TOS or traffic class. */
    public IpPacketBuilder ecn(int ecn) {
        this.ecn = checkRange("ecn", ecn, 0x03);
        return this;
    }

    /**
     * The IPv4 identification, 0 to 65535.
     *
     * @throws IllegalStateException for IPv6, which has no such field outside a fragment header
     */
    public IpPacketBuilder identification(int identification) {
        requireIpv4("identification");
        this.identification = checkRange("identification", identification, 0xFFFF);
        return this;
    }

    /**
     * The IPv4 Don't Fragment flag; clear unless set.
     *
     * @throws IllegalStateException for IPv6, where routers never fragment
     */
    public IpPacketBuilder dontFragment(boolean dontFragment) {
        requireIpv4("dontFragment");
        this.dontFragment = dontFragment;
        return this;
    }

    /**
     * The IPv6 flow label, 0 to 0xFFFFF.
     *
     * @throws IllegalStateException for IPv4, which has none
     */
    public IpPacketBuilder flowLabel(int flowLabel) {
        if (ipv4) {
            throw new IllegalStateException(
                    "flowLabel is an IPv6 field and the addresses are IPv4: leave it out, or use IPv6 addresses");
        }
        this.flowLabel = checkRange("flowLabel", flowLabel, 0xF_FFFF);
        return this;
    }

    private void requireIpv4(String field) {
        if (!ipv4) {
            throw new IllegalStateException(
                    field + " is an IPv4 field and the addresses are IPv6: leave it out, or use IPv4 addresses");
        }
    }

    /** A TCP segment from {@code sourcePort} to {@code destinationPort}. */
    public Tcp tcp(int sourcePort, int destinationPort) {
        return new Tcp(this, sourcePort, destinationPort);
    }

    /** A UDP datagram from {@code sourcePort} to {@code destinationPort}. */
    public Udp udp(int sourcePort, int destinationPort) {
        return new Udp(this, sourcePort, destinationPort);
    }

    /**
     * An ICMPv4 message, e.g. {@code icmp(IcmpHeader.ECHO_REQUEST, 0)}.
     *
     * @throws IllegalStateException when the addresses are IPv6: use {@link #icmpv6(int, int)}
     */
    public Icmp icmp(int type, int code) {
        if (!ipv4) {
            throw new IllegalStateException(
                    "icmp() builds ICMPv4 and the addresses are IPv6: use icmpv6() with Icmpv6Header's types");
        }
        return new Icmp(this, type, code);
    }

    /**
     * An ICMPv6 message, e.g. {@code icmpv6(Icmpv6Header.ECHO_REQUEST, 0)}.
     *
     * @throws IllegalStateException when the addresses are IPv4: use {@link #icmp(int, int)}
     */
    public Icmpv6 icmpv6(int type, int code) {
        if (ipv4) {
            throw new IllegalStateException(
                    "icmpv6() needs IPv6 addresses and these are IPv4: use icmp() with IcmpHeader's types");
        }
        return new Icmpv6(this, type, code);
    }

    static int checkRange(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " " + value + " is out of range: give 0 to " + max);
        }
        return value;
    }

    /** Writes the IP header at {@code at}; the IPv4 checksum is left for {@link #finishIpHeader}. */
    private int writeIpHeader(ByteBuf buf, int at, int protocol, int transportLength) {
        if (ipv4) {
            Ipv4Header ip = new Ipv4Header().wrap(buf, at);
            buf.setByte(at + Ipv4Header.VERSION_IHL_OFFSET, 0x45);
            ip.setDscp(dscp).setEcn(ecn);
            ip.setTotalLength(Ipv4Header.MIN_LENGTH + transportLength);
            ip.setIdentification(identification);
            ip.setFragmentation(dontFragment, false, 0);
            ip.setTtl(ttl).setProtocol(protocol);
            buf.setBytes(at + Ipv4Header.SOURCE_OFFSET, sourceBytes);
            buf.setBytes(at + Ipv4Header.DESTINATION_OFFSET, destinationBytes);
            ip.updateChecksum();
            return ip.pseudoHeaderSum(protocol, transportLength);
        }
        Ipv6Header ip = new Ipv6Header().wrap(buf, at);
        buf.setInt(at + Ipv6Header.VERSION_CLASS_FLOW_OFFSET, 6 << 28);
        ip.setTrafficClass((dscp << 2) | ecn).setFlowLabel(flowLabel);
        ip.setPayloadLength(transportLength).setNextHeader(protocol).setHopLimit(ttl);
        buf.setBytes(at + Ipv6Header.SOURCE_OFFSET, sourceBytes);
        buf.setBytes(at + Ipv6Header.DESTINATION_OFFSET, destinationBytes);
        return ip.pseudoHeaderSum(protocol, transportLength);
    }

    private int ipHeaderLength() {
        return ipv4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
    }

    /**
     * What every transport builder has: the payload and the build methods.
     *
     * @param <B> the concrete builder, so that setters chain
     */
    public abstract static class Transport<B extends Transport<B>> {
        final IpPacketBuilder ip;
        private byte[] payloadBytes;
        private ByteBuf payloadBuf;

        Transport(IpPacketBuilder ip) {
            this.ip = ip;
        }

        abstract B self();

        abstract int protocol();

        abstract int headerLength();

        /** Writes the header at {@code at} and returns a view of it for the checksum. */
        abstract TransportHeader writeHeader(ByteBuf buf, int at, int transportLength);

        /** The payload: these bytes, read when building (not copied now). Replaces an earlier payload. */
        public B payload(byte[] payload) {
            this.payloadBytes = Objects.requireNonNull(payload, "payload");
            this.payloadBuf = null;
            return self();
        }

        /**
         * The payload: the readable bytes of {@code payload}, read when building. The caller keeps
         * ownership (the builder neither retains nor releases it, nor moves its indexes), and it must
         * stay readable until the last build. Replaces an earlier payload.
         */
        public B payload(ByteBuf payload) {
            this.payloadBuf = Objects.requireNonNull(payload, "payload");
            this.payloadBytes = null;
            return self();
        }

        private int payloadLength() {
            return payloadBuf != null ? payloadBuf.readableBytes() : payloadBytes != null ? payloadBytes.length : 0;
        }

        /** The datagram's length in bytes as it would be built now. */
        public int length() {
            return ip.ipHeaderLength() + headerLength() + payloadLength();
        }

        /** Builds the datagram into a direct buffer from {@link ByteBufAllocator#DEFAULT} (pooled unless configured otherwise). */
        public ByteBuf build() {
            return build(ByteBufAllocator.DEFAULT);
        }

        /**
         * Builds the datagram into a new direct buffer from {@code alloc}: reader index 0, writer
         * index at its end. The caller owns (and releases) it.
         *
         * @throws IllegalStateException when the datagram would not fit the 16-bit length fields
         */
        public ByteBuf build(ByteBufAllocator alloc) {
            Objects.requireNonNull(alloc, "alloc");
            int payloadLength = payloadLength();
            int headerLength = headerLength();
            int transportLength = headerLength + payloadLength;
            int ipHeaderLength = ip.ipHeaderLength();
            checkLength(ipHeaderLength, headerLength, payloadLength);
            int total = ipHeaderLength + transportLength;
            ByteBuf buf = alloc.directBuffer(total);
            try {
                buf.writeZero(total);
                int pseudo = ip.writeIpHeader(buf, 0, protocol(), transportLength);
                int at = ipHeaderLength + headerLength;
                if (payloadBuf != null) {
                    buf.setBytes(at, payloadBuf, payloadBuf.readerIndex(), payloadLength);
                } else if (payloadBytes != null) {
                    buf.setBytes(at, payloadBytes, 0, payloadLength);
                }
                TransportHeader header = writeHeader(buf, ipHeaderLength, transportLength);
                // The protocol table says which checksums cover the pseudo-header (not ICMPv4's).
                boolean coversPseudoHeader =
                        TransportProtocol.of(ip.ipv4 ? 4 : 6, protocol()).coversPseudoHeader();
                header.updateChecksum(coversPseudoHeader ? pseudo : 0, transportLength);
                return buf;
            } catch (RuntimeException | Error e) {
                buf.release();
                throw e;
            }
        }

        private void checkLength(int ipHeaderLength, int headerLength, int payloadLength) {
            String name = IpProtocol.name(protocol());
            if (ip.ipv4) {
                long total = (long) ipHeaderLength + headerLength + payloadLength;
                if (total > MAX_LENGTH) {
                    throw new IllegalStateException("the IPv4 datagram would be " + total + " bytes (20 IP + "
                            + headerLength + " " + name + " + " + payloadLength + " payload), over the "
                            + MAX_LENGTH + " its total length field holds: send at most "
                            + (MAX_LENGTH - ipHeaderLength - headerLength) + " bytes of payload per datagram");
                }
            } else {
                long transport = (long) headerLength + payloadLength;
                if (transport > MAX_LENGTH) {
                    throw new IllegalStateException("the IPv6 payload would be " + transport + " bytes (" + headerLength
                            + " " + name + " + " + payloadLength + " payload), over the " + MAX_LENGTH
                            + " its payload length field holds (jumbograms are not supported): send at most "
                            + (MAX_LENGTH - headerLength) + " bytes of payload per datagram");
                }
            }
        }

        /** Builds the datagram from {@link ByteBufAllocator#DEFAULT} as a packet to send: {@link DivertAddress#outbound()}. */
        public DivertPacket buildDivertPacket() {
            return buildDivertPacket(ByteBufAllocator.DEFAULT);
        }

        /**
         * Builds the datagram from {@code alloc} as a packet to write to a {@code DivertChannel}: with
         * {@link DivertAddress#outbound()}, so that the kernel sends it as if this host had.
         */
        public DivertPacket buildDivertPacket(ByteBufAllocator alloc) {
            return new DivertPacket(build(alloc), DivertAddress.outbound());
        }
    }

    /** The TCP part of a datagram: ports, numbers, flags, window, options. */
    public static final class Tcp extends Transport<Tcp> {
        /** The most option bytes a TCP header holds (data offset 15). */
        private static final int MAX_OPTIONS = TcpHeader.MAX_LENGTH - TcpHeader.MIN_LENGTH;

        private final int sourcePort;
        private final int destinationPort;
        private int sequenceNumber;
        private int acknowledgmentNumber;
        private int flags;
        private int window;
        private int urgentPointer;
        private final byte[] options = new byte[MAX_OPTIONS];
        private int optionsLength;

        Tcp(IpPacketBuilder ip, int sourcePort, int destinationPort) {
            super(ip);
            this.sourcePort = checkRange("source port", sourcePort, 0xFFFF);
            this.destinationPort = checkRange("destination port", destinationPort, 0xFFFF);
        }

        @Override
        Tcp self() {
            return this;
        }

        /** The sequence number, 32 bits (unsigned, in an int). */
        public Tcp sequenceNumber(int sequenceNumber) {
            this.sequenceNumber = sequenceNumber;
            return this;
        }

        /** The acknowledgment number, 32 bits; set {@link TcpHeader#ACK} in {@link #flags} for it to count. */
        public Tcp acknowledgmentNumber(int acknowledgmentNumber) {
            this.acknowledgmentNumber = acknowledgmentNumber;
            return this;
        }

        /** The flags, {@link TcpHeader#SYN} {@code |} {@link TcpHeader#ACK} and so on; 0 to 0xFF. */
        public Tcp flags(int flags) {
            this.flags = checkRange("flags", flags, 0xFF);
            return this;
        }

        /** The receive window, 0 to 65535 (before any window scaling). */
        public Tcp window(int window) {
            this.window = checkRange("window", window, 0xFFFF);
            return this;
        }

        /** The urgent pointer, 0 to 65535; set {@link TcpHeader#URG} for it to count. */
        public Tcp urgentPointer(int urgentPointer) {
            this.urgentPointer = checkRange("urgent pointer", urgentPointer, 0xFFFF);
            return this;
        }

        /** Appends a Maximum Segment Size option (kind 2, 4 bytes). */
        public Tcp mss(int mss) {
            checkRange("mss", mss, 0xFFFF);
            return option(TcpOptions.MSS, (byte) (mss >>> 8), (byte) mss);
        }

        /** Appends a Window Scale option (kind 3, 3 bytes); RFC 7323 allows shifts 0 to 14. */
        public Tcp windowScale(int shift) {
            return option(TcpOptions.WINDOW_SCALE, (byte) checkRange("window scale", shift, 14));
        }

        /** Appends a SACK Permitted option (kind 4, 2 bytes). */
        public Tcp sackPermitted() {
            return option(TcpOptions.SACK_PERMITTED);
        }

        /** Appends a Timestamps option (kind 8, 10 bytes): TSval and TSecr, 32 bits each. */
        public Tcp timestamps(int value, int echoReply) {
            return option(
                    TcpOptions.TIMESTAMPS,
                    (byte) (value >>> 24),
                    (byte) (value >>> 16),
                    (byte) (value >>> 8),
                    (byte) value,
                    (byte) (echoReply >>> 24),
                    (byte) (echoReply >>> 16),
                    (byte) (echoReply >>> 8),
                    (byte) echoReply);
        }

        /** Appends a No-Operation (kind 1, 1 byte), to align the next option. */
        public Tcp nop() {
            appendOptionBytes(1);
            options[optionsLength++] = TcpOptions.NOP;
            return this;
        }

        /**
         * Appends an option of {@code kind} with {@code data} after its kind and length bytes. The
         * options end padded with zeros (End of Option List) to a multiple of 4 bytes.
         *
         * @throws IllegalStateException when the options would exceed the 40 bytes a TCP header holds
         */
        public Tcp option(int kind, byte... data) {
            checkRange("option kind", kind, 0xFF);
            if (kind == TcpOptions.END || kind == TcpOptions.NOP) {
                throw new IllegalArgumentException(
                        "option kind " + kind + " has no length byte: use nop(); the end padding is added for you");
            }
            int length = 2 + data.length;
            appendOptionBytes(length);
            options[optionsLength] = (byte) kind;
            options[optionsLength + 1] = (byte) length;
            System.arraycopy(data, 0, options, optionsLength + 2, data.length);
            optionsLength += length;
            return this;
        }

        private void appendOptionBytes(int n) {
            if (optionsLength + n > MAX_OPTIONS) {
                throw new IllegalStateException("TCP options would take " + (optionsLength + n)
                        + " bytes and a TCP header holds at most " + MAX_OPTIONS + ": leave some out");
            }
        }

        @Override
        int protocol() {
            return IpProtocol.TCP;
        }

        @Override
        int headerLength() {
            return TcpHeader.MIN_LENGTH + ((optionsLength + 3) & ~3);
        }

        @Override
        TransportHeader writeHeader(ByteBuf buf, int at, int transportLength) {
            int headerLength = headerLength();
            TcpHeader tcp = new TcpHeader().wrap(buf, at);
            tcp.setSourcePort(sourcePort).setDestinationPort(destinationPort);
            tcp.setSequenceNumber(sequenceNumber).setAcknowledgmentNumber(acknowledgmentNumber);
            buf.setByte(at + TcpHeader.DATA_OFFSET_FLAGS_OFFSET, (headerLength >>> 2) << 4);
            tcp.setFlags(flags).setWindow(window).setUrgentPointer(urgentPointer);
            // The buffer is zeroed, so the padding after the options is End of Option List.
            buf.setBytes(at + TcpHeader.MIN_LENGTH, options, 0, optionsLength);
            return tcp;
        }

        @Override
        public String toString() {
            return "IpPacketBuilder.Tcp(" + sourcePort + " > " + destinationPort + ", flags 0x"
                    + Integer.toHexString(flags) + ", options " + Arrays.toString(Arrays.copyOf(options, optionsLength))
                    + ")";
        }
    }

    /** The UDP part of a datagram: ports; the length field is filled in. */
    public static final class Udp extends Transport<Udp> {
        private final int sourcePort;
        private final int destinationPort;

        Udp(IpPacketBuilder ip, int sourcePort, int destinationPort) {
            super(ip);
            this.sourcePort = checkRange("source port", sourcePort, 0xFFFF);
            this.destinationPort = checkRange("destination port", destinationPort, 0xFFFF);
        }

        @Override
        Udp self() {
            return this;
        }

        @Override
        int protocol() {
            return IpProtocol.UDP;
        }

        @Override
        int headerLength() {
            return UdpHeader.LENGTH;
        }

        @Override
        TransportHeader writeHeader(ByteBuf buf, int at, int transportLength) {
            return new UdpHeader()
                    .wrap(buf, at)
                    .setSourcePort(sourcePort)
                    .setDestinationPort(destinationPort)
                    .setLength(transportLength);
        }
    }

    /**
     * What ICMPv4 and ICMPv6 builders share: type, code, and the rest of the header as identifier
     * and sequence number (echo messages) or as one 32-bit word (e.g. the MTU of Packet Too Big).
     */
    abstract static class IcmpMessage<B extends IcmpMessage<B>> extends Transport<B> {
        private final int type;
        private final int code;
        private int restOfHeader;

        IcmpMessage(IpPacketBuilder ip, int type, int code) {
            super(ip);
            this.type = checkRange("type", type, 0xFF);
            this.code = checkRange("code", code, 0xFF);
        }

        /** The identifier of an echo request or reply, 0 to 65535: the high half of the rest of header. */
        public B identifier(int identifier) {
            checkRange("identifier", identifier, 0xFFFF);
            restOfHeader = (identifier << 16) | (restOfHeader & 0xFFFF);
            return self();
        }

        /** The sequence number of an echo request or reply, 0 to 65535: the low half of the rest of header. */
        public B sequenceNumber(int sequenceNumber) {
            checkRange("sequence number", sequenceNumber, 0xFFFF);
            restOfHeader = (restOfHeader & 0xFFFF_0000) | sequenceNumber;
            return self();
        }

        /** The 4 bytes after the checksum as one word, for messages that are not echoes. */
        public B restOfHeader(int restOfHeader) {
            this.restOfHeader = restOfHeader;
            return self();
        }

        @Override
        int headerLength() {
            return IcmpMessageHeader.HEADER_LENGTH;
        }

        abstract IcmpMessageHeader newView();

        @Override
        TransportHeader writeHeader(ByteBuf buf, int at, int transportLength) {
            IcmpMessageHeader icmp = newView();
            icmp.doWrap(buf, at);
            icmp.setType(type);
            icmp.setCode(code);
            buf.setInt(at + IcmpMessageHeader.IDENTIFIER_OFFSET, restOfHeader);
            return icmp;
        }
    }

    /** The ICMPv4 part of a datagram; its checksum covers no pseudo-header. */
    public static final class Icmp extends IcmpMessage<Icmp> {
        Icmp(IpPacketBuilder ip, int type, int code) {
            super(ip, type, code);
        }

        @Override
        Icmp self() {
            return this;
        }

        @Override
        int protocol() {
            return IpProtocol.ICMP;
        }

        @Override
        IcmpMessageHeader newView() {
            return new IcmpHeader();
        }
    }

    /** The ICMPv6 part of a datagram; its checksum covers the IPv6 pseudo-header. */
    public static final class Icmpv6 extends IcmpMessage<Icmpv6> {
        Icmpv6(IpPacketBuilder ip, int type, int code) {
            super(ip, type, code);
        }

        @Override
        Icmpv6 self() {
            return this;
        }

        @Override
        int protocol() {
            return IpProtocol.ICMPV6;
        }

        @Override
        IcmpMessageHeader newView() {
            return new Icmpv6Header();
        }
    }
}
