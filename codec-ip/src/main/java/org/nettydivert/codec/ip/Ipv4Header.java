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
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** A view of an IPv4 header (RFC 791); see {@link HeaderView} for the rules every view follows. */
public final class Ipv4Header extends HeaderView {
    /** The length of a header without options. */
    public static final int MIN_LENGTH = 20;
    /** The length of a header with the most options (IHL 15). */
    public static final int MAX_LENGTH = 60;

    static final int VERSION_IHL_OFFSET = 0;
    static final int TOS_OFFSET = 1;
    static final int TOTAL_LENGTH_OFFSET = 2;
    static final int IDENTIFICATION_OFFSET = 4;
    static final int FLAGS_FRAGMENT_OFFSET = 6;
    static final int TTL_OFFSET = 8;
    static final int PROTOCOL_OFFSET = 9;
    static final int CHECKSUM_OFFSET = 10;
    static final int SOURCE_OFFSET = 12;
    static final int DESTINATION_OFFSET = 16;

    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    /** Points this view at the IPv4 header that starts at absolute index {@code offset} of {@code buf}. */
    public Ipv4Header wrap(ByteBuf buf, int offset) {
        doWrap(buf, offset);
        return this;
    }

    /** The version field; 4 for a real IPv4 header. */
    public int version() {
        return buf.getUnsignedByte(offset + VERSION_IHL_OFFSET) >>> 4;
    }

    /** The Internet Header Length field, in 32-bit words (5 to 15 for a valid header). */
    public int ihl() {
        return buf.getUnsignedByte(offset + VERSION_IHL_OFFSET) & 0x0F;
    }

    /** The header length in bytes, options included: {@code ihl() * 4}. */
    public int headerLength() {
        return ihl() << 2;
    }

    /** The absolute index of the first option byte; equal to {@link #optionsEnd()} when there are none. */
    public int optionsStart() {
        return offset + MIN_LENGTH;
    }

    /** The absolute index just past the last option byte, where the payload starts. */
    public int optionsEnd() {
        return offset + headerLength();
    }

    /** The Differentiated Services code point, 6 bits (RFC 2474). */
    public int dscp() {
        return buf.getUnsignedByte(offset + TOS_OFFSET) >>> 2;
    }

    /** Sets the DSCP, keeping the ECN bits; the checksum is not updated. */
    public Ipv4Header setDscp(int dscp) {
        int tos = buf.getUnsignedByte(offset + TOS_OFFSET);
        buf.setByte(offset + TOS_OFFSET, (dscp << 2) | (tos & 0x03));
        return this;
    }

    /** The Explicit Congestion Notification bits, 2 bits (RFC 3168). */
    public int ecn() {
        return buf.getUnsignedByte(offset + TOS_OFFSET) & 0x03;
    }

    /** Sets the ECN bits, keeping the DSCP; the checksum is not updated. */
    public Ipv4Header setEcn(int ecn) {
        int tos = buf.getUnsignedByte(offset + TOS_OFFSET);
        buf.setByte(offset + TOS_OFFSET, (tos & 0xFC) | (ecn & 0x03));
        return this;
    }

    /** The total length of the datagram in bytes, header included. */
    public int totalLength() {
        return buf.getUnsignedShort(offset + TOTAL_LENGTH_OFFSET);
    }

    /** Sets the total length; the checksum is not updated. */
    public Ipv4Header setTotalLength(int totalLength) {
        buf.setShort(offset + TOTAL_LENGTH_OFFSET, totalLength);
        return this;
    }

    /** The payload length: total length minus header length. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** Sets the total length so that the payload is {@code payloadLength} bytes, updating the checksum. */
    public Ipv4Header setPayloadLengthUpdatingChecksum(int payloadLength) {
        return setWord(TOTAL_LENGTH_OFFSET, payloadLength + headerLength());
    }

    /** The identification field. */
    public int identification() {
        return buf.getUnsignedShort(offset + IDENTIFICATION_OFFSET);
    }

    /** Sets the identification; the checksum is not updated. */
    public Ipv4Header setIdentification(int identification) {
        buf.setShort(offset + IDENTIFICATION_OFFSET, identification);
        return this;
    }

    /** The Don't Fragment flag. */
    public boolean dontFragment() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & FLAG_DF) != 0;
    }

    /** Sets or clears Don't Fragment, updating the checksum. */
    public Ipv4Header setDontFragmentUpdatingChecksum(boolean dontFragment) {
        int word = buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET);
        return setWord(FLAGS_FRAGMENT_OFFSET, dontFragment ? word | FLAG_DF : word & ~FLAG_DF);
    }

    /** The More Fragments flag. */
    public boolean moreFragments() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & FLAG_MF) != 0;
    }

    /** The fragment offset in bytes (the field counts 8-byte units). */
    public int fragmentOffset() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & FRAGMENT_OFFSET_MASK) << 3;
    }

    /** Whether this datagram is a fragment: More Fragments set or a non-zero fragment offset. */
    public boolean isFragment() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** Sets the flags and fragment offset word: Don't Fragment, More Fragments, offset in bytes (a multiple of 8). */
    public Ipv4Header setFragmentation(boolean dontFragment, boolean moreFragments, int fragmentOffsetBytes) {
        int word = (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0) | (fragmentOffsetBytes >>> 3);
        buf.setShort(offset + FLAGS_FRAGMENT_OFFSET, word);
        return this;
    }

    /** The time to live. */
    public int ttl() {
        return buf.getUnsignedByte(offset + TTL_OFFSET);
    }

    /** Sets the TTL; the checksum is not updated. */
    public Ipv4Header setTtl(int ttl) {
        buf.setByte(offset + TTL_OFFSET, ttl);
        return this;
    }

    /** Sets the TTL, updating the header checksum incrementally. */
    public Ipv4Header setTtlUpdatingChecksum(int ttl) {
        int word = buf.getUnsignedShort(offset + TTL_OFFSET);
        return setWord(TTL_OFFSET, (ttl << 8) | (word & 0xFF));
    }

    /** The protocol of the payload ({@link IpProtocol}). */
    public int protocol() {
        return buf.getUnsignedByte(offset + PROTOCOL_OFFSET);
    }

    /** Sets the protocol; the checksum is not updated. */
    public Ipv4Header setProtocol(int protocol) {
        buf.setByte(offset + PROTOCOL_OFFSET, protocol);
        return this;
    }

    /** The header checksum field. */
    public int checksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    /** Sets the header checksum field. */
    public Ipv4Header setChecksum(int checksum) {
        buf.setShort(offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** Whether the header checksum is right. */
    public boolean verifyChecksum() {
        return InternetChecksum.verifies(InternetChecksum.ipv4HeaderSum(buf, offset, headerLength()));
    }

    /**
     * Computes the header checksum from scratch and stores it, if it differs from the one there:
     * a packet whose bytes are not written to stays unchanged (on Linux, the channel then passes
     * the kernel's own copy on instead of sending the bytes back).
     */
    public Ipv4Header updateChecksum() {
        int computed = InternetChecksum.ipv4HeaderChecksum(buf, offset, headerLength());
        return computed == checksum() ? this : setChecksum(computed);
    }

    /** The source address as a 32-bit big-endian int. */
    public int sourceAddress() {
        return buf.getInt(offset + SOURCE_OFFSET);
    }

    /** Sets the source address; no checksum is updated. */
    public Ipv4Header setSourceAddress(int address) {
        buf.setInt(offset + SOURCE_OFFSET, address);
        return this;
    }

    /**
     * Sets the source address, updating the header checksum incrementally. The transport checksum
     * covers the address too (pseudo-header): see {@link IpPacket#setSourceAddress(InetAddress)}, or
     * adjust it yourself with {@link TcpHeader#adjustChecksum(int, int)} and friends.
     */
    public Ipv4Header setSourceAddressUpdatingChecksum(int address) {
        return setInt(SOURCE_OFFSET, address);
    }

    /** The destination address as a 32-bit big-endian int. */
    public int destinationAddress() {
        return buf.getInt(offset + DESTINATION_OFFSET);
    }

    /** Sets the destination address; no checksum is updated. */
    public Ipv4Header setDestinationAddress(int address) {
        buf.setInt(offset + DESTINATION_OFFSET, address);
        return this;
    }

    /** Sets the destination address, updating the header checksum; see {@link #setSourceAddressUpdatingChecksum}. */
    public Ipv4Header setDestinationAddressUpdatingChecksum(int address) {
        return setInt(DESTINATION_OFFSET, address);
    }

    /** The source address; allocates. */
    public Inet4Address sourceInetAddress() {
        return toInetAddress(sourceAddress());
    }

    /** The destination address; allocates. */
    public Inet4Address destinationInetAddress() {
        return toInetAddress(destinationAddress());
    }

    /** The pseudo-header sum for this header's addresses, {@code protocol} and {@code transportLength}. */
    public int pseudoHeaderSum(int protocol, int transportLength) {
        return InternetChecksum.pseudoHeaderSumV4(buf, offset, protocol, transportLength);
    }

    /** An IPv4 address as the int the address getters return. */
    public static int toInt(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    static Inet4Address toInetAddress(int address) {
        byte[] b = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    private Ipv4Header setWord(int fieldOffset, int value) {
        int old = buf.getUnsignedShort(offset + fieldOffset);
        buf.setShort(offset + fieldOffset, value);
        return setChecksum(InternetChecksum.adjust16(checksum(), old, value));
    }

    private Ipv4Header setInt(int fieldOffset, int value) {
        int old = buf.getInt(offset + fieldOffset);
        buf.setInt(offset + fieldOffset, value);
        return setChecksum(InternetChecksum.adjust32(checksum(), old, value));
    }

    @Override
    public String toString() {
        return "Ipv4Header(" + sourceInetAddress().getHostAddress() + " > "
                + destinationInetAddress().getHostAddress() + ", proto " + protocol() + ", ttl " + ttl() + ", len "
                + totalLength() + ", ihl " + ihl() + ")";
    }
}
