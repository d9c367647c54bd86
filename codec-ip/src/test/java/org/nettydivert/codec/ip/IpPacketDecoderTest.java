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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nettydivert.transport.DivertPacket;

class IpPacketDecoderTest {
    private static final byte[] SYN = TestPackets.ipv4(
            IpProtocol.TCP,
            "10.0.0.1",
            "10.0.0.2",
            TestPackets.tcp(1234, 80, 1, 0, TcpHeader.SYN, 64240, new byte[0], new byte[0]));

    private static IpPacket decodeOne(byte[] datagram) {
        EmbeddedChannel channel = new EmbeddedChannel(new IpPacketDecoder());
        assertTrue(channel.writeInbound(TestPackets.divert(datagram)));
        IpPacket packet = channel.readInbound();
        assertFalse(channel.finish());
        return packet;
    }

    @Test
    void decodesTcpOverIpv4IntoLayers() {
        IpPacket p = decodeOne(SYN);
        try {
            assertTrue(p.isIpv4());
            assertEquals(IpProtocol.TCP, p.protocol());
            assertEquals(0, p.l3Offset());
            assertEquals(20, p.transportOffset());
            assertEquals(40, p.payloadOffset());
            assertEquals(40, p.endOffset());
            assertEquals(0, p.payloadLength());
            assertEquals(1234, p.tcp().sourcePort());
            assertNull(p.udp());
            assertNull(p.ipv6());
            assertTrue(p.verifyChecksums());
        } finally {
            p.release();
        }
    }

    @Test
    void printsLikeTcpdump() {
        IpPacket p = decodeOne(SYN);
        try {
            assertEquals("IPv4 10.0.0.1.1234 > 10.0.0.2.80 TCP [S] seq 1 win 64240 len 0", p.toString());
        } finally {
            p.release();
        }
    }

    @Test
    void printsAcksUdpAndIcmp() {
        byte[] ack = TestPackets.ipv6(
                IpProtocol.TCP,
                "fd00::1",
                "fd00::2",
                TestPackets.tcp(80, 1234, 7, 2, 0x18, 100, new byte[0], new byte[3]));
        byte[] udp = TestPackets.ipv6(IpProtocol.UDP, "fd00::1", "fd00::2", TestPackets.udp(53, 5353, new byte[12]));
        byte[] ping = TestPackets.ipv4(
                IpProtocol.ICMP,
                "10.0.0.1",
                "10.0.0.2",
                TestPackets.icmpEcho(IcmpHeader.ECHO_REQUEST, 9, 3, new byte[56]));
        List<String> lines = new ArrayList<>();
        for (byte[] d : new byte[][] {ack, udp, ping}) {
            IpPacket p = decodeOne(d);
            lines.add(p.toString());
            p.release();
        }
        assertEquals(
                List.of(
                        "IPv6 fd00:0:0:0:0:0:0:1.80 > fd00:0:0:0:0:0:0:2.1234 TCP [P.] seq 7 ack 2 win 100 len 3",
                        "IPv6 fd00:0:0:0:0:0:0:1.53 > fd00:0:0:0:0:0:0:2.5353 UDP len 12",
                        "IPv4 10.0.0.1 > 10.0.0.2 ICMP echo request id 9 seq 3 len 56"),
                lines);
    }

    @Test
    void decodesUdpOverIpv6PastExtensionHeaders() {
        byte[] ext = ReferenceChecksum.concat(
                TestPackets.extension(IpProtocol.DESTINATION_OPTIONS, 0), TestPackets.extension(IpProtocol.UDP, 1));
        byte[] d = TestPackets.ipv6(
                IpProtocol.HOP_BY_HOP,
                "2001:db8::1",
                "2001:db8::2",
                ext,
                IpProtocol.UDP,
                TestPackets.udp(1, 2, new byte[5]));
        IpPacket p = decodeOne(d);
        try {
            assertTrue(p.isIpv6());
            assertEquals(IpProtocol.UDP, p.protocol());
            assertEquals(40 + 8 + 16, p.transportOffset());
            assertEquals(p.transportOffset() + 8, p.payloadOffset());
            assertEquals(5, p.payloadLength());
            assertEquals(2, p.destinationPort());
            assertTrue(p.verifyChecksums());
        } finally {
            p.release();
        }
    }

    @Test
    void decodesIcmpv6() {
        byte[] d = TestPackets.ipv6(
                IpProtocol.ICMPV6,
                "fe80::1",
                "fe80::2",
                TestPackets.icmpEcho(Icmpv6Header.ECHO_REPLY, 1, 2, new byte[4]));
        IpPacket p = decodeOne(d);
        try {
            assertTrue(p.icmpv6().isEchoReply());
            assertNull(p.icmp());
            assertEquals(-1, p.sourcePort());
            assertTrue(p.verifyChecksums());
        } finally {
            p.release();
        }
    }

    @Test
    void laterIpv4FragmentHasNoTransportHeader() {
        byte[] d = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", new byte[3]);
        TestPackets.put16(d, 6, 185); // offset 1480, no flags
        IpPacket p = decodeOne(d);
        try {
            assertTrue(p.isFragment());
            assertEquals(1480, p.fragmentOffset());
            assertFalse(p.hasTransportHeader());
            assertNull(p.udp());
            assertEquals(-1, p.destinationPort());
            assertEquals(20, p.payloadOffset());
            assertEquals("IPv4 10.0.0.1 > 10.0.0.2 UDP frag id " + 0x1c46 + " offset 1480 len 3", p.toString());
        } finally {
            p.release();
        }
    }

    @Test
    void firstIpv4FragmentKeepsItsTransportHeader() {
        byte[] d = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[8]));
        TestPackets.put16(d, 6, 0x2000); // MF, offset 0
        IpPacket p = decodeOne(d);
        try {
            assertTrue(p.isFragment());
            assertTrue(p.moreFragments());
            assertEquals(2, p.udp().destinationPort());
        } finally {
            p.release();
        }
    }

    @Test
    void laterIpv6FragmentHasNoTransportHeader() {
        byte[] frag = TestPackets.fragmentHeader(IpProtocol.TCP, 2496, false, 99);
        byte[] d = TestPackets.ipv6(IpProtocol.FRAGMENT, "fd00::1", "fd00::2", frag, -1, new byte[10]);
        IpPacket p = decodeOne(d);
        try {
            assertTrue(p.isFragment());
            assertEquals(2496, p.fragmentOffset());
            assertNull(p.tcp());
            assertEquals(IpProtocol.TCP, p.protocol());
            assertTrue(p.toString().contains("frag id 99 offset 2496"), p.toString());
        } finally {
            p.release();
        }
    }

    @Test
    void decodedPacketKeepsTheBufferAndTheAddress() {
        DivertPacket in = TestPackets.divert(SYN);
        EmbeddedChannel channel = new EmbeddedChannel(new IpPacketDecoder());
        channel.writeInbound(in);
        IpPacket p = channel.readInbound();
        assertSame(in, p.packet());
        assertSame(TestPackets.INBOUND, p.address());
        assertEquals(1, p.refCnt(), "the decoder's reference was handed over, not leaked or dropped");
        assertTrue(p.release());
        assertEquals(0, in.refCnt());
        assertFalse(channel.finish());
    }

    @Test
    void decodeThrowsWithTheReasonAndLeavesThePacketToTheCaller() {
        DivertPacket bad = TestPackets.divert(new byte[] {0x75, 0, 0});
        MalformedPacketException e = assertThrows(MalformedPacketException.class, () -> IpPacket.decode(bad));
        assertEquals(MalformedReason.UNKNOWN_VERSION, e.reason());
        assertEquals(1, bad.refCnt());
        bad.release();
    }

    @Test
    void nonDivertMessagesPassThroughUntouched() {
        EmbeddedChannel channel = new EmbeddedChannel(new IpPacketDecoder());
        channel.writeInbound("not a packet");
        assertEquals("not a packet", channel.readInbound());
        assertFalse(channel.finish());
    }

    static Stream<Arguments> malformed() {
        byte[] tcpHeaderCut = TestPackets.ipv4(IpProtocol.TCP, "10.0.0.1", "10.0.0.2", new byte[12]);
        byte[] tcpBadDataOffset = SYN.clone();
        tcpBadDataOffset[20 + 12] = 0x40;
        byte[] tcpOptionsPastEnd = SYN.clone();
        tcpOptionsPastEnd[20 + 12] = (byte) 0xF0;
        byte[] udpCut = TestPackets.ipv6(IpProtocol.UDP, "fd00::1", "fd00::2", new byte[6]);
        byte[] icmpCut = TestPackets.ipv4(IpProtocol.ICMP, "10.0.0.1", "10.0.0.2", new byte[4]);
        byte[] badIhl = SYN.clone();
        badIhl[0] = 0x44;
        byte[] ihlPastEnd = TestPackets.ipv4(IpProtocol.TCP, "10.0.0.1", "10.0.0.2", new byte[0]);
        ihlPastEnd[0] = 0x4F;
        byte[] totalTooLong = SYN.clone();
        TestPackets.put16(totalTooLong, 2, 41);
        byte[] totalShorterThanHeader = SYN.clone();
        TestPackets.put16(totalShorterThanHeader, 2, 19);
        byte[] v6PayloadTooLong =
                TestPackets.ipv6(IpProtocol.UDP, "fd00::1", "fd00::2", TestPackets.udp(1, 2, new byte[0]));
        TestPackets.put16(v6PayloadTooLong, 4, 100);
        byte[] brokenChain = TestPackets.ipv6(
                IpProtocol.ROUTING, "fd00::1", "fd00::2", TestPackets.bytes(17, 9), IpProtocol.UDP, new byte[0]);
        return Stream.of(
                Arguments.of("empty", new byte[0], MalformedReason.TRUNCATED),
                Arguments.of("IPv4 header cut", java.util.Arrays.copyOf(SYN, 19), MalformedReason.TRUNCATED),
                Arguments.of("IPv6 header cut", new byte[] {0x60, 0, 0, 0, 0, 0}, MalformedReason.TRUNCATED),
                Arguments.of("version 5", new byte[] {0x50, 1, 2, 3}, MalformedReason.UNKNOWN_VERSION),
                Arguments.of("version 0", new byte[20], MalformedReason.UNKNOWN_VERSION),
                Arguments.of("IHL 4", badIhl, MalformedReason.BAD_IHL),
                Arguments.of("IHL past the end", ihlPastEnd, MalformedReason.BAD_IHL),
                Arguments.of("total length past the end", totalTooLong, MalformedReason.BAD_TOTAL_LENGTH),
                Arguments.of("total length below header", totalShorterThanHeader, MalformedReason.BAD_TOTAL_LENGTH),
                Arguments.of("IPv6 payload length past the end", v6PayloadTooLong, MalformedReason.BAD_TOTAL_LENGTH),
                Arguments.of("IPv6 chain past the end", brokenChain, MalformedReason.BAD_EXTENSION_CHAIN),
                Arguments.of("TCP header cut", tcpHeaderCut, MalformedReason.TRANSPORT_TRUNCATED),
                Arguments.of("TCP data offset 4", tcpBadDataOffset, MalformedReason.TRANSPORT_TRUNCATED),
                Arguments.of("TCP options past the end", tcpOptionsPastEnd, MalformedReason.TRANSPORT_TRUNCATED),
                Arguments.of("UDP header cut", udpCut, MalformedReason.TRANSPORT_TRUNCATED),
                Arguments.of("ICMP header cut", icmpCut, MalformedReason.TRANSPORT_TRUNCATED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedIsPassedOnRawWhenAsked(String name, byte[] datagram, MalformedReason reason) {
        IpPacketDecoder decoder = new IpPacketDecoder(MalformedPacketAction.PASS_RAW);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        DivertPacket in = TestPackets.divert(datagram);
        channel.writeInbound(in);
        Object out = channel.readInbound();
        assertSame(in, out);
        assertEquals(1, in.refCnt());
        assertEquals(1, decoder.malformedCount());
        in.release();
        assertFalse(channel.finish());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedIsDroppedAndCountedWhenAsked(String name, byte[] datagram, MalformedReason reason) {
        IpPacketDecoder decoder = new IpPacketDecoder(MalformedPacketAction.DROP);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        DivertPacket in = TestPackets.divert(datagram);
        channel.writeInbound(in);
        assertNull(channel.readInbound());
        assertEquals(0, in.refCnt());
        assertEquals(1, decoder.malformedCount());
        assertFalse(channel.finish());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedIsReportedWithItsReasonWhenAsked(String name, byte[] datagram, MalformedReason reason) {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(
                new IpPacketDecoder(MalformedPacketAction.REPORT), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        events.add(evt);
                    }
                });
        DivertPacket in = TestPackets.divert(datagram);
        channel.writeInbound(in);
        assertNull(channel.readInbound());
        assertEquals(0, in.refCnt());
        assertEquals(1, events.size());
        MalformedPacketEvent event = assertInstanceOf(MalformedPacketEvent.class, events.get(0));
        assertEquals(reason, event.reason());
        assertEquals(datagram.length, event.length());
        assertSame(TestPackets.INBOUND, event.address());
        assertFalse(event.detail().isEmpty());
        assertFalse(channel.finish());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedThrowsFromDecodeWithItsReason(String name, byte[] datagram, MalformedReason reason) {
        DivertPacket in = TestPackets.divert(datagram);
        try {
            assertEquals(
                    reason,
                    assertThrows(MalformedPacketException.class, () -> IpPacket.decode(in))
                            .reason());
        } finally {
            in.release();
        }
    }

    @Test
    void ipv4OptionsPushTheTransportBack() {
        byte[] options = TestPackets.bytes(0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00);
        byte[] d =
                TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", options, TestPackets.udp(7, 9, new byte[2]));
        IpPacket p = decodeOne(d);
        try {
            assertEquals(28, p.transportOffset());
            assertEquals(36, p.payloadOffset());
            assertEquals(9, p.destinationPort());
            assertTrue(p.verifyChecksums());
        } finally {
            p.release();
        }
    }

    @Test
    void icmpv4NumberInsideIpv6IsNotParsed() {
        byte[] d = TestPackets.ipv6(IpProtocol.ICMP, "fd00::1", "fd00::2", new byte[8]);
        IpPacket p = decodeOne(d);
        try {
            assertEquals(IpProtocol.ICMP, p.protocol());
            assertFalse(p.hasTransportHeader());
            assertNull(p.icmp());
            assertNull(p.icmpv6());
        } finally {
            p.release();
        }
    }

    @Test
    void retainAndReleaseShareTheDivertPacketsCount() {
        DivertPacket in = TestPackets.divert(SYN);
        IpPacket p = IpPacket.decode(in);
        p.retain();
        assertEquals(2, in.refCnt());
        assertFalse(in.release());
        assertEquals(1, p.refCnt());
        assertEquals("IpPacket(released)", p.release() ? p.toString() : "still held");
    }

    @Test
    void trailingBytesAfterTheDatagramAreIgnored() {
        byte[] padded = java.util.Arrays.copyOf(SYN, SYN.length + 6); // Ethernet pads short frames
        IpPacket p = decodeOne(padded);
        try {
            assertEquals(SYN.length, p.length());
            assertEquals(0, p.payloadLength());
            assertTrue(p.verifyChecksums());
        } finally {
            p.release();
        }
    }

    @Test
    void unknownTransportIsNotParsed() {
        // SCTP: no view in the protocol table.
        byte[] sctp = TestPackets.ipv4(132, "10.0.0.1", "10.0.0.2", new byte[4]);
        IpPacket p = decodeOne(sctp);
        try {
            assertEquals(132, p.protocol());
            assertFalse(p.hasTransportHeader());
            assertNull(p.transportHeader());
            assertEquals("IPv4 10.0.0.1 > 10.0.0.2 proto 132 len 4", p.toString());
        } finally {
            p.release();
        }
    }
}
