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
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A view of an IPv6 header (RFC 8200) and, through {@link #walkExtensions(int)}, of its chain of
 * extension headers; see {@link HeaderView} for the rules every view follows.
 */
public final class Ipv6Header extends HeaderView {
    /** The length of the fixed header. */
    public static final int LENGTH = 40;
    /** The length of the fragment extension header. */
    public static final int FRAGMENT_HEADER_LENGTH = 8;

    static final int VERSION_CLASS_FLOW_OFFSET = 0;
    static final int PAYLOAD_LENGTH_OFFSET = 4;
    static final int NEXT_HEADER_OFFSET = 6;
    static final int HOP_LIMIT_OFFSET = 7;
    static final int SOURCE_OFFSET = 8;
    static final int DESTINATION_OFFSET = 24;
    static final int ADDRESS_LENGTH = 16;

    private static final int FRAGMENT_OFFSET_FIELD = 2;
    private static final int FRAGMENT_ID_FIELD = 4;

    // Results of the last walk; plain fields so that walking allocates nothing.
    private int transportProtocol = -1;
    private int transportOffset = -1;
    private int fragmentHeaderOffset = -1;

    /** Points this view at the IPv6 header that starts at absolute index {@code offset} of {@code buf}. */
    public Ipv6Header wrap(ByteBuf buf, int offset) {
        doWrap(buf, offset);
        transportProtocol = -1;
        transportOffset = -1;
        fragmentHeaderOffset = -1;
        return this;
    }

    /** The version field; 6 for a real IPv6 header. */
    public int version() {
        return buf.getUnsignedByte(offset) >>> 4;
    }

    /** The traffic class, 8 bits: DSCP in the high 6, ECN in the low 2. */
    public int trafficClass() {
        return (buf.getInt(offset + VERSION_CLASS_FLOW_OFFSET) >>> 20) & 0xFF;
    }

    /** Sets the traffic class. IPv6 has no header checksum and no pseudo-header field depends on it. */
    public Ipv6Header setTrafficClass(int trafficClass) {
        int word = buf.getInt(offset + VERSION_CLASS_FLOW_OFFSET);
        buf.setInt(offset + VERSION_CLASS_FLOW_OFFSET, (word & 0xF00F_FFFF) | ((trafficClass & 0xFF) << 20));
        return this;
    }

    /** The DSCP, the high 6 bits of the traffic class. */
    public int dscp() {
        return trafficClass() >>> 2;
    }

    /** The ECN bits, the low 2 bits of the traffic class. */
    public int ecn() {
        return trafficClass() & 0x03;
    }

    /** The flow label, 20 bits. */
    public int flowLabel() {
        return buf.getInt(offset + VERSION_CLASS_FLOW_OFFSET) & 0xF_FFFF;
    }

    /** Sets the flow label. */
    public Ipv6Header setFlowLabel(int flowLabel) {
        int word = buf.getInt(offset + VERSION_CLASS_FLOW_OFFSET);
        buf.setInt(offset + VERSION_CLASS_FLOW_OFFSET, (word & 0xFFF0_0000) | (flowLabel & 0xF_FFFF));
        return this;
    }

    /** The payload length: everything after the fixed header, extension headers included. */
    public int payloadLength() {
        return buf.getUnsignedShort(offset + PAYLOAD_LENGTH_OFFSET);
    }

    /** Sets the payload length. Transport checksums cover their own length, not this field. */
    public Ipv6Header setPayloadLength(int payloadLength) {
        buf.setShort(offset + PAYLOAD_LENGTH_OFFSET, payloadLength);
        return this;
    }

    /** The total length: fixed header plus payload. */
    public int totalLength() {
        return LENGTH + payloadLength();
    }

    /** The next header field of the fixed header: the first extension header or the transport header. */
    public int nextHeader() {
        return buf.getUnsignedByte(offset + NEXT_HEADER_OFFSET);
    }

    /** Sets the next header field of the fixed header. */
    public Ipv6Header setNextHeader(int nextHeader) {
        buf.setByte(offset + NEXT_HEADER_OFFSET, nextHeader);
        return this;
    }

    /** The hop limit. */
    public int hopLimit() {
        return buf.getUnsignedByte(offset + HOP_LIMIT_OFFSET);
    }

    /** Sets the hop limit; IPv6 has no header checksum to update. */
    public Ipv6Header setHopLimit(int hopLimit) {
        buf.setByte(offset + HOP_LIMIT_OFFSET, hopLimit);
        return this;
    }

    /** The high 64 bits of the source address. */
    public long sourceAddressHigh() {
        return buf.getLong(offset + SOURCE_OFFSET);
    }

    /** The low 64 bits of the source address. */
    public long sourceAddressLow() {
        return buf.getLong(offset + SOURCE_OFFSET + 8);
    }

    /** The high 64 bits of the destination address. */
    public long destinationAddressHigh() {
        return buf.getLong(offset + DESTINATION_OFFSET);
    }

    /** The low 64 bits of the destination address. */
    public long destinationAddressLow() {
        return buf.getLong(offset + DESTINATION_OFFSET + 8);
    }

    /**
     * Sets the source address from its two halves. The transport checksum covers it
     * (pseudo-header): use {@link IpPacket#setSourceAddress(InetAddress)}, or adjust the checksum with
     * {@link #sourceAddressSum()} taken before and after.
     */
    public Ipv6Header setSourceAddress(long high, long low) {
        buf.setLong(offset + SOURCE_OFFSET, high);
        buf.setLong(offset + SOURCE_OFFSET + 8, low);
        return this;
    }

    /** Sets the destination address from its two halves; see {@link #setSourceAddress(long, long)}. */
    public Ipv6Header setDestinationAddress(long high, long low) {
        buf.setLong(offset + DESTINATION_OFFSET, high);
        buf.setLong(offset + DESTINATION_OFFSET + 8, low);
        return this;
    }

    /** The one's complement sum of the source address, for incremental checksum updates. */
    public int sourceAddressSum() {
        return InternetChecksum.sum(buf, offset + SOURCE_OFFSET, ADDRESS_LENGTH);
    }

    /** The one's complement sum of the destination address, for incremental checksum updates. */
    public int destinationAddressSum() {
        return InternetChecksum.sum(buf, offset + DESTINATION_OFFSET, ADDRESS_LENGTH);
    }

    /** The source address; allocates. */
    public Inet6Address sourceInetAddress() {
        return readAddress(SOURCE_OFFSET);
    }

    /** The destination address; allocates. */
    public Inet6Address destinationInetAddress() {
        return readAddress(DESTINATION_OFFSET);
    }

    /** The pseudo-header sum for this header's addresses, transport {@code protocol} and {@code transportLength}. */
    public int pseudoHeaderSum(int protocol, int transportLength) {
        return InternetChecksum.pseudoHeaderSumV6(buf, offset, protocol, transportLength);
    }

    /**
     * Walks the extension headers from the fixed header up to absolute index {@code end} (the end of
     * the datagram): hop-by-hop (only first), routing, destination options and fragment headers use
     * the 8-byte length rule, AH its own 4-byte rule (RFC 4302); ESP and No Next Header end the walk,
     * as does a fragment header with a non-zero offset, after which no transport header follows.
     *
     * @return {@code null} when the chain is sound, {@link MalformedReason#BAD_EXTENSION_CHAIN} otherwise;
     *     the results are in {@link #transportProtocol()}, {@link #transportOffset()} and
     *     {@link #fragmentHeaderOffset()}.
     */
    public MalformedReason walkExtensions(int end) {
        int next = nextHeader();
        int at = offset + LENGTH;
        fragmentHeaderOffset = -1;
        boolean first = true;
        while (true) {
            switch (next) {
                case IpProtocol.HOP_BY_HOP:
                case IpProtocol.ROUTING:
                case IpProtocol.DESTINATION_OPTIONS: {
                    if (at + 2 > end || (next == IpProtocol.HOP_BY_HOP && !first)) {
                        return fail();
                    }
                    int length = (buf.getUnsignedByte(at + 1) + 1) << 3;
                    next = buf.getUnsignedByte(at);
                    at += length;
                    break;
                }
                case IpProtocol.AH: {
                    if (at + 2 > end) {
                        return fail();
                    }
                    int length = (buf.getUnsignedByte(at + 1) + 2) << 2;
                    next = buf.getUnsignedByte(at);
                    at += length;
                    break;
                }
                case IpProtocol.FRAGMENT: {
                    if (at + FRAGMENT_HEADER_LENGTH > end || fragmentHeaderOffset >= 0) {
                        return fail();
                    }
                    fragmentHeaderOffset = at;
                    next = buf.getUnsignedByte(at);
                    at += FRAGMENT_HEADER_LENGTH;
                    if (fragmentOffset() != 0) {
                        // A later fragment carries the middle of the payload: nothing after it to parse.
                        return done(next, at);
                    }
                    break;
                }
                default:
                    // Transport header, ESP (opaque), or No Next Header.
                    return done(next, at);
            }
            if (at > end) {
                return fail();
            }
            first = false;
        }
    }

    /**
     * The protocol after the extension headers found by the last {@link #walkExtensions(int)}: the
     * transport protocol, or ESP or No Next Header; -1 before a walk or after a failed one.
     */
    public int transportProtocol() {
        return transportProtocol;
    }

    /** The absolute index where the transport header starts, found by the last walk, or -1. */
    public int transportOffset() {
        return transportOffset;
    }

    /** The absolute index of the fragment header found by the last walk, or -1 when there is none. */
    public int fragmentHeaderOffset() {
        return fragmentHeaderOffset;
    }

    /** Whether the last walk found a fragment header. */
    public boolean isFragment() {
        return fragmentHeaderOffset >= 0;
    }

    /** The fragment offset in bytes from the fragment header found by the last walk, 0 without one. */
    public int fragmentOffset() {
        return fragmentHeaderOffset < 0
                ? 0
                : buf.getUnsignedShort(fragmentHeaderOffset + FRAGMENT_OFFSET_FIELD) & 0xFFF8;
    }

    /** The M (more fragments) flag of the fragment header found by the last walk. */
    public boolean moreFragments() {
        return fragmentHeaderOffset >= 0
                && (buf.getUnsignedShort(fragmentHeaderOffset + FRAGMENT_OFFSET_FIELD) & 1) != 0;
    }

    /** The identification of the fragment header found by the last walk, 0 without one. */
    public long fragmentIdentification() {
        return fragmentHeaderOffset < 0 ? 0 : buf.getUnsignedInt(fragmentHeaderOffset + FRAGMENT_ID_FIELD);
    }

    private MalformedReason done(int protocol, int at) {
        transportProtocol = protocol;
        transportOffset = at;
        return null;
    }

    private MalformedReason fail() {
        transportProtocol = -1;
        transportOffset = -1;
        return MalformedReason.BAD_EXTENSION_CHAIN;
    }

    private Inet6Address readAddress(int fieldOffset) {
        byte[] b = new byte[ADDRESS_LENGTH];
        buf.getBytes(offset + fieldOffset, b);
        try {
            return Inet6Address.getByAddress(null, b, null);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @Override
    public String toString() {
        return "Ipv6Header(" + sourceInetAddress().getHostAddress() + " > "
                + destinationInetAddress().getHostAddress() + ", next " + nextHeader() + ", hlim " + hopLimit()
                + ", plen " + payloadLength() + ")";
    }
}
