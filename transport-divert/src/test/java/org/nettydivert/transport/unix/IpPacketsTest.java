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
package org.nettydivert.transport.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpPacketsTest {
    private static final int TCP = 6;
    private static final int UDP = 17;

    // ---- malformation

    static Stream<Arguments> malformedPackets() {
        return Stream.of(
                Arguments.of("empty", "", "empty packet"),
                Arguments.of("short IPv4", "45" + "00".repeat(18), "shorter than its 20-byte header"),
                Arguments.of("IHL below 5", ipv4(20, 4), "IPv4 header length 16"),
                Arguments.of("IHL beyond the bytes", ipv4(40, 15), "IPv4 header length 60"),
                Arguments.of("total length too big", ipv4Total(40, 41), "IPv4 total length 41"),
                Arguments.of("total length below the header", ipv4Total(40, 19), "IPv4 total length 19"),
                Arguments.of("short IPv6", "60" + "00".repeat(38), "shorter than its 40-byte header"),
                Arguments.of("IPv6 payload length too big", ipv6(48, 9), "IPv6 payload length 9"),
                Arguments.of("version 5", "45".replace('4', '5') + "00".repeat(39), "IP version 5"),
                Arguments.of("version 0", "00".repeat(40), "IP version 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPackets")
    void malformationNamesWhatIsWrong(String what, String hex, String expected) {
        ByteBuf packet = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
        try {
            String malformation = IpPackets.malformation(packet, 0, packet.readableBytes());

            assertNotNull(malformation, what);
            assertTrue(malformation.contains(expected), malformation);
        } finally {
            packet.release();
        }
    }

    static Stream<Arguments> soundPackets() {
        return Stream.of(
                Arguments.of("IPv4, header only", ipv4Total(20, 20)),
                Arguments.of("IPv4 with options", ipv4(60, 15)),
                Arguments.of("IPv4 followed by padding", ipv4Total(46, 28)),
                Arguments.of("IPv6, header only", ipv6(40, 0)),
                Arguments.of("IPv6 with payload", ipv6(48, 8)),
                Arguments.of("IPv6 followed by padding", ipv6(60, 8)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("soundPackets")
    void malformationIsNullForSoundPackets(String what, String hex) {
        ByteBuf packet = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
        try {
            assertNull(IpPackets.malformation(packet, 0, packet.readableBytes()), what);
        } finally {
            packet.release();
        }
    }

    @Test
    void malformationLooksOnlyAtTheGivenRange() {
        // A sound IPv4 header at offset 3, followed by bytes that are not part of it.
        ByteBuf packet = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("ffffff" + ipv4Total(20, 20) + "ffff"));
        try {
            assertNull(IpPackets.malformation(packet, 3, 20));
            assertNotNull(IpPackets.malformation(packet, 3, 19));
        } finally {
            packet.release();
        }
    }

    // ---- IPv4 header checksum

    @Test
    void ipv4HeaderChecksumOfAKnownPacket() {
        // A captured UDP packet, 192.168.0.1 -> 192.168.0.199, header checksum 0xb861.
        ByteBuf packet = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("450000730000400040110000c0a80001c0a800c7"));
        try {
            IpPackets.updateIpv4HeaderChecksum(packet, 0);

            assertEquals(0xb861, packet.getUnsignedShort(10));
        } finally {
            packet.release();
        }
    }

    @Test
    void ipv4HeaderChecksumReplacesAWrongOne() {
        ByteBuf packet =
                Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("ffff450000730000400040111234c0a80001c0a800c7"));
        try {
            IpPackets.updateIpv4HeaderChecksum(packet, 2);

            assertEquals(0xb861, packet.getUnsignedShort(12));
            assertEquals(0xffff, packet.getUnsignedShort(0), "bytes before the packet untouched");
        } finally {
            packet.release();
        }
    }

    @Test
    void ipv4HeaderChecksumCoversOptions() {
        ByteBuf packet = Unpooled.buffer(60);
        Random random = new Random(1);
        for (int i = 0; i < 60; i++) {
            packet.writeByte(random.nextInt(256));
        }
        packet.setByte(0, 0x4F);
        try {
            IpPackets.updateIpv4HeaderChecksum(packet, 0);

            assertEquals(0xFFFF, referenceSum(packet, 0, 60, 0), "a correct header sums to 0xFFFF");
        } finally {
            packet.release();
        }
    }

    @Test
    void ipv4HeaderChecksumLeavesIpv6Alone() {
        ByteBuf packet = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(ipv6(40, 0)));
        packet.setShort(10, 0x1234);
        try {
            IpPackets.updateIpv4HeaderChecksum(packet, 0);

            assertEquals(0x1234, packet.getUnsignedShort(10));
        } finally {
            packet.release();
        }
    }

    @Test
    void sumAndFoldGiveTheRfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
        ByteBuf bytes = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0001f203f4f5f6f7"));
        try {
            assertEquals(0xddf2, IpPackets.fold(IpPackets.sum(bytes, 0, 8, 0)));
        } finally {
            bytes.release();
        }
    }

    // ---- transport checksums

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 17, 100, 1471, 1472})
    void completesTheUdpChecksumOverIpv4(int payload) {
        assertTransportChecksumCompleted(4, UDP, payload, 0, 11);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 17, 100, 1459, 1460})
    void completesTheTcpChecksumOverIpv4(int payload) {
        assertTransportChecksumCompleted(4, TCP, payload, 0, 12);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 17, 100, 1451, 1452})
    void completesTheUdpChecksumOverIpv6(int payload) {
        assertTransportChecksumCompleted(6, UDP, payload, 0, 13);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 17, 100, 1439, 1440})
    void completesTheTcpChecksumOverIpv6(int payload) {
        assertTransportChecksumCompleted(6, TCP, payload, 0, 14);
    }

    @Test
    void completesTheChecksumOfAPacketAtAnOffsetWithIpv4Options() {
        assertTransportChecksumCompleted(4, UDP, 33, 24, 7, 5);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 6})
    void aUdpChecksumOfZeroIsSentAsAllOnes(int version) {
        ByteBuf packet = packet(version, UDP, 10, 0, 0, 21);
        try {
            int l4 = version == 4 ? 20 : 40;
            // Choose the first payload word so that the data sums to 0xFFFF: the checksum is 0.
            packet.setShort(l4 + 6, 0);
            packet.setShort(l4 + 8, 0);
            int sum = referenceSum(packet, l4, packet.readableBytes() - l4, pseudoHeaderSum(packet, 0, version, UDP));
            packet.setShort(l4 + 8, 0xFFFF - sum);
            assertEquals(
                    0xFFFF,
                    referenceSum(packet, l4, packet.readableBytes() - l4, pseudoHeaderSum(packet, 0, version, UDP)));

            IpPackets.completeTransportChecksum(packet, 0, packet.readableBytes());

            assertEquals(0xFFFF, packet.getUnsignedShort(l4 + 6));
        } finally {
            packet.release();
        }
    }

    @Test
    void otherProtocolsAreLeftAlone() {
        ByteBuf packet = packet(4, 1, 30, 0, 0, 31); // ICMP
        ByteBuf copy = packet.copy();
        try {
            IpPackets.completeTransportChecksum(packet, 0, packet.readableBytes());

            assertEquals(copy, packet);
        } finally {
            packet.release();
            copy.release();
        }
    }

    @Test
    void ipv6WithAnExtensionHeaderIsLeftAlone() {
        ByteBuf packet = packet(6, UDP, 30, 0, 0, 32);
        packet.setByte(6, 0); // hop-by-hop options before the UDP header
        ByteBuf copy = packet.copy();
        try {
            IpPackets.completeTransportChecksum(packet, 0, packet.readableBytes());

            assertEquals(copy, packet);
        } finally {
            packet.release();
            copy.release();
        }
    }

    @Test
    void aTransportHeaderCutShortIsLeftAlone() {
        ByteBuf packet = packet(4, TCP, 0, 0, 0, 33);
        packet.setShort(2, 20 + 19); // total length leaves 19 bytes for a 20-byte TCP header
        ByteBuf copy = packet.copy();
        try {
            IpPackets.completeTransportChecksum(packet, 0, packet.readableBytes());

            assertEquals(copy, packet);
        } finally {
            packet.release();
            copy.release();
        }
    }

    private static void assertTransportChecksumCompleted(
            int version, int protocol, int payload, int offset, long seed) {
        assertTransportChecksumCompleted(version, protocol, payload, offset, seed, 0);
    }

    private static void assertTransportChecksumCompleted(
            int version, int protocol, int payload, int offset, long seed, int optionWords) {
        ByteBuf packet = packet(version, protocol, payload, offset, optionWords, seed);
        try {
            int ipHeader = version == 4 ? 20 + 4 * optionWords : 40;
            int l4 = offset + ipHeader;
            int l4Length = packet.writerIndex() - l4;
            int field = l4 + (protocol == TCP ? 16 : 6);
            // Offload leaves a partial sum there; whatever it is, it is replaced.
            packet.setShort(field, 0xBEEF);

            IpPackets.completeTransportChecksum(packet, offset, packet.writerIndex() - offset);

            int computed = packet.getUnsignedShort(field);
            packet.setShort(field, 0);
            int expected =
                    ~referenceSum(packet, l4, l4Length, pseudoHeaderSum(packet, offset, version, protocol)) & 0xFFFF;
            if (expected == 0 && protocol == UDP) {
                expected = 0xFFFF;
            }
            assertEquals(
                    expected, computed, "IPv" + version + " protocol " + protocol + ", " + payload + " payload bytes");
        } finally {
            packet.release();
        }
    }

    /**
     * An IP packet at {@code offset} in a buffer of random bytes: sound IP header (version, IHL
     * or payload length, protocol, addresses random), a TCP (20-byte) or UDP (8-byte) header with
     * the right length field, then {@code payload} random bytes.
     */
    private static ByteBuf packet(int version, int protocol, int payload, int offset, int optionWords, long seed) {
        Random random = new Random(seed);
        int ipHeader = version == 4 ? 20 + 4 * optionWords : 40;
        int l4Header = protocol == TCP ? 20 : protocol == UDP ? 8 : 8;
        int total = ipHeader + l4Header + payload;
        byte[] bytes = new byte[offset + total];
        random.nextBytes(bytes);
        ByteBuf packet = Unpooled.wrappedBuffer(bytes);
        if (version == 4) {
            packet.setByte(offset, 0x40 | (ipHeader / 4));
            packet.setShort(offset + 2, total);
            packet.setByte(offset + 9, protocol);
        } else {
            packet.setByte(offset, 0x60);
            packet.setShort(offset + 4, total - 40);
            packet.setByte(offset + 6, protocol);
        }
        if (protocol == UDP) {
            packet.setShort(offset + ipHeader + 4, l4Header + payload);
        }
        packet.readerIndex(offset);
        return packet;
    }

    /** Sum of the pseudo-header: addresses, protocol, transport length; folded to 16 bits. */
    private static int pseudoHeaderSum(ByteBuf packet, int offset, int version, int protocol) {
        int sum;
        int l4Length;
        if (version == 4) {
            int ipHeader = (packet.getUnsignedByte(offset) & 0xF) * 4;
            l4Length = packet.getUnsignedShort(offset + 2) - ipHeader;
            sum = referenceSum(packet, offset + 12, 8, 0);
        } else {
            l4Length = packet.getUnsignedShort(offset + 4);
            sum = referenceSum(packet, offset + 8, 32, 0);
        }
        return foldReference(sum + protocol + l4Length);
    }

    /**
     * The Internet checksum sum done the slow, obvious way: byte by byte, high byte of each word
     * first, a lone last byte padded with zero, carries folded back; returns 16 bits.
     */
    private static int referenceSum(ByteBuf buf, int offset, int length, int initial) {
        long sum = initial;
        for (int i = 0; i < length; i++) {
            int b = buf.getUnsignedByte(offset + i);
            sum += (i % 2 == 0) ? b << 8 : b;
        }
        return foldReference(sum);
    }

    private static int foldReference(long sum) {
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) sum;
    }

    /** An IPv4 header of {@code length} bytes with the given IHL and a total length of {@code length}. */
    private static String ipv4(int length, int ihl) {
        byte[] b = new byte[length];
        b[0] = (byte) (0x40 | ihl);
        b[2] = (byte) (length >> 8);
        b[3] = (byte) length;
        return ByteBufUtil.hexDump(b);
    }

    /** {@code length} bytes of IPv4 with a 20-byte header and the given total length. */
    private static String ipv4Total(int length, int totalLength) {
        byte[] b = new byte[length];
        b[0] = 0x45;
        b[2] = (byte) (totalLength >> 8);
        b[3] = (byte) totalLength;
        return ByteBufUtil.hexDump(b);
    }

    /** {@code length} bytes of IPv6 with the given payload length. */
    private static String ipv6(int length, int payloadLength) {
        byte[] b = new byte[length];
        b[0] = 0x60;
        b[4] = (byte) (payloadLength >> 8);
        b[5] = (byte) payloadLength;
        return ByteBufUtil.hexDump(b);
    }
}
