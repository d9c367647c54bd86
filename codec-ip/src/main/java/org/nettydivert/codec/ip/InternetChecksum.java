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

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * 16-bit big-endian words, full and incremental (RFC 1624).
 *
 * <p>A <em>sum</em> here is a folded 16-bit one's complement sum, not yet complemented; sums can be
 * added with {@link #add(int, int)} and turned into a checksum field with {@link #finish(int)}.
 * Reads use absolute indexes and never move the buffer's reader or writer index.
 */
public final class InternetChecksum {
    private InternetChecksum() {}

    /**
     * The one's complement sum of {@code length} bytes of {@code buf} from {@code offset}, as 16-bit
     * big-endian words; an odd last byte is padded with a zero byte.
     */
    public static int sum(ByteBuf buf, int offset, int length) {
        long acc = 0;
        int i = offset;
        int end = offset + length;
        // Eight bytes per read: adding both 32-bit halves into a 64-bit accumulator cannot overflow
        // for any IP datagram (at most 2^13 reads of at most 2^33 each), so carries fold once at the end.
        for (; i <= end - 8; i += 8) {
            long v = buf.getLong(i);
            acc += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        if (i <= end - 4) {
            acc += buf.getUnsignedInt(i);
            i += 4;
        }
        if (i <= end - 2) {
            acc += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            acc += buf.getUnsignedByte(i) << 8;
        }
        return fold(acc);
    }

    /**
     * {@link #sum(ByteBuf, int, int)} for an IPv4 header: its fixed 20 bytes in three reads without
     * a loop (a loop of two turns, its length unknown to the compiler, costs more than the reads),
     * then the options, if any.
     */
    static int ipv4HeaderSum(ByteBuf buf, int offset, int headerLength) {
        if (headerLength < Ipv4Header.MIN_LENGTH) {
            return sum(buf, offset, headerLength);
        }
        long a = buf.getLong(offset);
        long b = buf.getLong(offset + 8);
        long acc = (a >>> 32) + (a & 0xFFFF_FFFFL) + (b >>> 32) + (b & 0xFFFF_FFFFL) + buf.getUnsignedInt(offset + 16);
        if (headerLength > Ipv4Header.MIN_LENGTH) {
            acc += sum(buf, offset + Ipv4Header.MIN_LENGTH, headerLength - Ipv4Header.MIN_LENGTH);
        }
        return fold(acc);
    }

    /** Folds a wide one's complement accumulator into 16 bits. */
    public static int fold(long acc) {
        acc = (acc >>> 32) + (acc & 0xFFFF_FFFFL);
        acc = (acc >>> 16) + (acc & 0xFFFF);
        acc = (acc >>> 16) + (acc & 0xFFFF);
        acc = (acc >>> 16) + (acc & 0xFFFF);
        return (int) acc;
    }

    /** The one's complement sum of two sums. */
    public static int add(int sumA, int sumB) {
        int s = sumA + sumB;
        return (s & 0xFFFF) + (s >>> 16);
    }

    /** The sum of the two 16-bit halves of a 32-bit value, e.g. an IPv4 address or a TCP sequence number. */
    public static int sum32(int value) {
        return add(value >>> 16, value & 0xFFFF);
    }

    /** The checksum field for a sum: its complement, 16 bits. */
    public static int finish(int sum) {
        return ~sum & 0xFFFF;
    }

    /**
     * Whether a region that includes its own checksum field verifies: its sum is 0xFFFF (or, for a
     * region of zeros, which only a broken packet has, 0).
     */
    public static boolean verifies(int sumIncludingChecksum) {
        return sumIncludingChecksum == 0xFFFF;
    }

    /**
     * RFC 1624 equation 3: the checksum after the words summing to {@code oldSum} were replaced by
     * words summing to {@code newSum}: {@code HC' = ~(~HC + ~m + m')}.
     */
    public static int adjust(int checksum, int oldSum, int newSum) {
        int s = add(add(~checksum & 0xFFFF, ~oldSum & 0xFFFF), newSum);
        return ~s & 0xFFFF;
    }

    /** {@link #adjust(int, int, int)} for one 16-bit word changing from {@code oldWord} to {@code newWord}. */
    public static int adjust16(int checksum, int oldWord, int newWord) {
        return adjust(checksum, oldWord & 0xFFFF, newWord & 0xFFFF);
    }

    /** {@link #adjust(int, int, int)} for a 32-bit field (an IPv4 address, a sequence number). */
    public static int adjust32(int checksum, int oldValue, int newValue) {
        return adjust(checksum, sum32(oldValue), sum32(newValue));
    }

    /**
     * The IPv4 pseudo-header sum (RFC 793, RFC 768) for a transport segment of {@code transportLength}
     * bytes with {@code protocol}, reading the addresses from the IPv4 header at {@code ipOffset}.
     */
    public static int pseudoHeaderSumV4(ByteBuf buf, int ipOffset, int protocol, int transportLength) {
        long acc = buf.getUnsignedInt(ipOffset + Ipv4Header.SOURCE_OFFSET)
                + buf.getUnsignedInt(ipOffset + Ipv4Header.DESTINATION_OFFSET)
                + protocol
                + transportLength;
        return fold(acc);
    }

    /**
     * The IPv6 pseudo-header sum (RFC 8200 section 8.1) for a transport packet of {@code transportLength}
     * bytes with next header {@code protocol}, reading the addresses from the IPv6 header at
     * {@code ipOffset}. With a routing header the destination should be the final one; we use the
     * header's, which is right for every packet a host sends or receives without source routing.
     */
    public static int pseudoHeaderSumV6(ByteBuf buf, int ipOffset, int protocol, int transportLength) {
        int addresses = sum(buf, ipOffset + Ipv6Header.SOURCE_OFFSET, 32);
        return fold((long) addresses + (transportLength >>> 16) + (transportLength & 0xFFFF) + protocol);
    }

    /** The checksum field value for an IPv4 header of {@code headerLength} bytes, ignoring its current checksum. */
    public static int ipv4HeaderChecksum(ByteBuf buf, int ipOffset, int headerLength) {
        int withField = ipv4HeaderSum(buf, ipOffset, headerLength);
        int field = buf.getUnsignedShort(ipOffset + Ipv4Header.CHECKSUM_OFFSET);
        // Subtracting in one's complement is adding the complement.
        return finish(add(withField, ~field & 0xFFFF));
    }

    /**
     * The checksum field value for a region of {@code length} bytes whose checksum field is at
     * {@code checksumOffset}, given the pseudo-header sum (0 for ICMPv4, which has none).
     */
    public static int checksum(ByteBuf buf, int offset, int length, int checksumOffset, int pseudoHeaderSum) {
        int withField = add(sum(buf, offset, length), pseudoHeaderSum);
        int field = buf.getUnsignedShort(checksumOffset);
        return finish(add(withField, ~field & 0xFFFF));
    }
}
