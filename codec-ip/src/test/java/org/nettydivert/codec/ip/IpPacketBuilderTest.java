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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

class IpPacketBuilderTest {
    /**
     * A Linux-style SYN: options MSS 1460, SACK permitted, timestamps 1/0, NOP, window scale 7. The
     * bytes and checksums were computed by a separate RFC 1071 script and the dissection checked
     * with tshark ("checksum good").
     */
    static final String SYN_HEX = "4500003c1234400040063c51c0000201c6336402" // IPv4, id 0x1234, DF, TTL 64
            + "9c4000500000000100000000a002faf0c4450000" // 40000 > 80, seq 1, SYN, win 64240, data offset 10
            + "020405b40402080a000000010000000001030307"; // options
    /** UDP over IPv6, DSCP 46 (EF), ECN 1, flow label 0xabcde, hop limit 255, payload "hello". */
    static final String UDP6_HEX = "6b9abcde000d11ff20010db8000000000000000000000001"
            + "20010db800000000000000000000000214e90035000d4b6f68656c6c6f";
    /** ICMPv4 echo request, id 0x4242, seq 7, payload "ping". */
    static final String ICMP_HEX = "450000200000000040018ea6c0000201c63364020800d6e54242000770696e67";

    static IpPacketBuilder.Tcp syn() {
        return IpPacketBuilder.ip("192.0.2.1", "198.51.100.2")
                .identification(0x1234)
                .dontFragment(true)
                .tcp(40000, 80)
                .sequenceNumber(1)
                .flags(TcpHeader.SYN)
                .window(64240)
                .mss(1460)
                .sackPermitted()
                .timestamps(1, 0)
                .nop()
                .windowScale(7);
    }

    static IpPacketBuilder.Udp udp6() {
        return IpPacketBuilder.ip("2001:db8::1", "2001:db8::2")
                .hopLimit(255)
                .dscp(46)
                .ecn(1)
                .flowLabel(0xabcde)
                .udp(5353, 53)
                .payload("hello".getBytes(StandardCharsets.US_ASCII));
    }

    static IpPacketBuilder.Icmp echo4() {
        return IpPacketBuilder.ip("192.0.2.1", "198.51.100.2")
                .icmp(IcmpHeader.ECHO_REQUEST, 0)
                .identifier(0x4242)
                .sequenceNumber(7)
                .payload("ping".getBytes(StandardCharsets.US_ASCII));
    }

    private static void assertBuilds(String hex, IpPacketBuilder.Transport<?> builder) {
        ByteBuf buf = builder.build();
        try {
            assertTrue(buf.isDirect());
            assertEquals(0, buf.readerIndex());
            assertEquals(hex, ByteBufUtil.hexDump(buf));
            assertEquals(hex.length() / 2, builder.length());
        } finally {
            buf.release();
        }
    }

    @Test
    void buildsKnownBytes() {
        assertBuilds(SYN_HEX, syn());
        assertBuilds(UDP6_HEX, udp6());
        assertBuilds(ICMP_HEX, echo4());
    }

    @Test
    void matchesTheReferenceBuilderForEveryTransport() {
        // TestPackets builds byte by byte with its own checksum code: id 0x1c46, DF, TTL 64, IPv6 flow 0x12345.
        byte[] payload = TestPackets.ascii("GET / HTTP/1.1\r\n\r\n");
        IpPacketBuilder v4 = IpPacketBuilder.ip("10.0.0.1", "10.0.0.2")
                .identification(0x1c46)
                .dontFragment(true);
        IpPacketBuilder v6 = IpPacketBuilder.ip("fd00::1", "fd00::2").flowLabel(0x12345);
        byte[] mss = {2, 4, 5, (byte) 0xb4};
        check(
                TestPackets.ipv4(
                        IpProtocol.TCP,
                        "10.0.0.1",
                        "10.0.0.2",
                        TestPackets.tcp(1234, 80, 7, 9, TcpHeader.PSH | TcpHeader.ACK, 512, mss, payload)),
                v4.tcp(1234, 80)
                        .sequenceNumber(7)
                        .acknowledgmentNumber(9)
                        .flags(TcpHeader.PSH | TcpHeader.ACK)
                        .window(512)
                        .mss(1460)
                        .payload(payload));
        check(
                TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(5353, 53, payload)),
                v4.udp(5353, 53).payload(payload));
        check(
                TestPackets.ipv4(
                        IpProtocol.ICMP,
                        "10.0.0.1",
                        "10.0.0.2",
                        TestPackets.icmpEcho(IcmpHeader.ECHO_REPLY, 3, 4, payload)),
                v4.icmp(IcmpHeader.ECHO_REPLY, 0)
                        .identifier(3)
                        .sequenceNumber(4)
                        .payload(payload));
        check(
                TestPackets.ipv6(
                        IpProtocol.TCP,
                        "fd00::1",
                        "fd00::2",
                        TestPackets.tcp(1234, 80, -1, 0, TcpHeader.SYN, 65535, new byte[0], new byte[0])),
                v6.tcp(1234, 80).sequenceNumber(-1).flags(TcpHeader.SYN).window(65535));
        check(
                TestPackets.ipv6(IpProtocol.UDP, "fd00::1", "fd00::2", TestPackets.udp(1, 2, payload)),
                v6.udp(1, 2).payload(payload));
        check(
                TestPackets.ipv6(
                        IpProtocol.ICMPV6,
                        "fd00::1",
                        "fd00::2",
                        TestPackets.icmpEcho(Icmpv6Header.ECHO_REQUEST, 0xffff, 1, payload)),
                v6.icmpv6(Icmpv6Header.ECHO_REQUEST, 0)
                        .identifier(0xffff)
                        .sequenceNumber(1)
                        .payload(payload));
    }

    private static void check(byte[] expected, IpPacketBuilder.Transport<?> builder) {
        ByteBuf buf = builder.build(PooledByteBufAllocator.DEFAULT);
        try {
            assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(buf));
        } finally {
            buf.release();
        }
    }

    @Test
    void everyBuiltPacketDecodesWithGoodChecksums() {
        IpPacketBuilder.Transport<?>[] builders = {
            syn(),
            udp6(),
            echo4(),
            IpPacketBuilder.ip("fd00::1", "fd00::2")
                    .icmpv6(Icmpv6Header.PACKET_TOO_BIG, 0)
                    .restOfHeader(1280)
                    .payload(new byte[101]),
            IpPacketBuilder.ip("10.0.0.1", "10.0.0.2").udp(9, 9),
            IpPacketBuilder.ip("10.0.0.1", "10.0.0.2").tcp(1, 2).nop().payload(new byte[1])
        };
        for (IpPacketBuilder.Transport<?> builder : builders) {
            IpPacket p = IpPacket.decode(builder.buildDivertPacket());
            try {
                assertTrue(p.verifyChecksums(), p.toString());
                assertTrue(p.hasTransportHeader(), p.toString());
                assertEquals(builder.length(), p.length());
            } finally {
                p.release();
            }
        }
    }

    @Test
    void fieldsReadBackThroughTheViews() throws Exception {
        IpPacket p = IpPacket.decode(syn().payload(new byte[] {1, 2, 3}).buildDivertPacket());
        try {
            assertSame(DivertAddress.outbound(), p.address());
            assertEquals(InetAddress.getByName("192.0.2.1"), p.sourceAddress());
            assertTrue(p.ipv4().dontFragment());
            assertEquals(0x1234, p.ipv4().identification());
            TcpHeader tcp = p.tcp();
            assertEquals(40000, tcp.sourcePort());
            assertEquals(40, tcp.headerLength());
            assertEquals(3, p.payloadLength());
            TcpOptions options = new TcpOptions().wrap(tcp);
            assertTrue(options.next());
            assertEquals(1460, options.mss());
            assertTrue(options.next());
            assertEquals(TcpOptions.SACK_PERMITTED, options.kind());
            assertTrue(options.next());
            assertEquals(1, options.timestampValue());
            assertTrue(options.next());
            assertEquals(7, options.windowScale());
            assertFalse(options.next());
            assertFalse(options.isMalformed());
        } finally {
            p.release();
        }
        p = IpPacket.decode(udp6().buildDivertPacket());
        try {
            Ipv6Header ip = p.ipv6();
            assertEquals(46, ip.dscp());
            assertEquals(1, ip.ecn());
            assertEquals(0xabcde, ip.flowLabel());
            assertEquals(255, p.ttl());
            assertEquals(13, p.udp().length());
        } finally {
            p.release();
        }
    }

    @Test
    void optionsArePaddedToAWordWithEndOfOptionList() {
        ByteBuf buf = IpPacketBuilder.ip("10.0.0.1", "10.0.0.2")
                .tcp(1, 2)
                .windowScale(2)
                .build();
        try {
            assertEquals(0x60, buf.getUnsignedByte(20 + 12), "data offset 6: 20 + 3 option bytes + 1 padding");
            assertEquals("030302" + "00", ByteBufUtil.hexDump(buf, 40, 4));
        } finally {
            buf.release();
        }
    }

    @Test
    void aBufferPayloadIsReadNotConsumed() {
        ByteBuf payload =
                Unpooled.copiedBuffer("xxabc", StandardCharsets.US_ASCII).skipBytes(2);
        try {
            IpPacketBuilder.Udp udp =
                    IpPacketBuilder.ip("10.0.0.1", "10.0.0.2").udp(1, 2).payload(payload);
            ByteBuf first = udp.build();
            ByteBuf second = udp.build();
            try {
                assertEquals("616263", ByteBufUtil.hexDump(first, 28, 3));
                assertEquals(ByteBufUtil.hexDump(first), ByteBufUtil.hexDump(second));
                assertEquals(2, payload.readerIndex());
                assertEquals(1, payload.refCnt());
            } finally {
                first.release();
                second.release();
            }
        } finally {
            payload.release();
        }
    }

    @Test
    void theLargestDatagramsBuildAndOneByteMoreFails() {
        byte[] v4Max = new byte[65535 - 20 - 8];
        ByteBuf buf = IpPacketBuilder.ip("10.0.0.1", "10.0.0.2")
                .udp(1, 2)
                .payload(v4Max)
                .build();
        buf.release();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> IpPacketBuilder.ip("10.0.0.1", "10.0.0.2")
                        .udp(1, 2)
                        .payload(new byte[v4Max.length + 1])
                        .build());
        assertTrue(e.getMessage().contains("65536") && e.getMessage().contains("at most 65507"), e.getMessage());

        byte[] v6Max = new byte[65535 - 20];
        buf = IpPacketBuilder.ip("fd00::1", "fd00::2").tcp(1, 2).payload(v6Max).build();
        try {
            assertEquals(65535 + 40, buf.readableBytes());
        } finally {
            buf.release();
        }
        e = assertThrows(IllegalStateException.class, () -> IpPacketBuilder.ip("fd00::1", "fd00::2")
                .tcp(1, 2)
                .payload(new byte[v6Max.length + 1])
                .build());
        assertTrue(e.getMessage().contains("IPv6 payload would be 65536"), e.getMessage());
    }

    @Test
    void badInputSaysWhatIsWrongAndWhatToDo() throws Exception {
        InetAddress v4 = InetAddress.getByName("10.0.0.1");
        InetAddress v6 = InetAddress.getByName("fd00::1");
        assertMessage(IllegalArgumentException.class, "same IP version", () -> IpPacketBuilder.ip(v4, v6));
        assertMessage(IllegalStateException.class, "use icmp()", () -> IpPacketBuilder.ip("10.0.0.1", "10.0.0.2")
                .icmpv6(Icmpv6Header.ECHO_REQUEST, 0));
        assertMessage(IllegalStateException.class, "use icmpv6()", () -> IpPacketBuilder.ip("fd00::1", "fd00::2")
                .icmp(IcmpHeader.ECHO_REQUEST, 0));
        assertMessage(IllegalStateException.class, "flowLabel is an IPv6 field", () -> IpPacketBuilder.ip(
                        "10.0.0.1", "10.0.0.2")
                .flowLabel(1));
        assertMessage(IllegalStateException.class, "dontFragment is an IPv4 field", () -> IpPacketBuilder.ip(
                        "fd00::1", "fd00::2")
                .dontFragment(true));
        assertMessage(IllegalStateException.class, "identification is an IPv4 field", () -> IpPacketBuilder.ip(
                        "fd00::1", "fd00::2")
                .identification(1));
        assertMessage(
                IllegalArgumentException.class,
                "not an IP address literal",
                () -> IpPacketBuilder.ip("example.com", "10.0.0.2"));
        assertMessage(
                IllegalArgumentException.class,
                "destination port 65536 is out of range: give 0 to 65535",
                () -> IpPacketBuilder.ip("10.0.0.1", "10.0.0.2").udp(1, 65536));
        assertMessage(IllegalArgumentException.class, "dscp 64 is out of range", () -> IpPacketBuilder.ip(
                        "10.0.0.1", "10.0.0.2")
                .dscp(64));
        assertMessage(IllegalStateException.class, "at most 40", () -> IpPacketBuilder.ip("10.0.0.1", "10.0.0.2")
                .tcp(1, 2)
                .timestamps(1, 2)
                .timestamps(1, 2)
                .timestamps(1, 2)
                .timestamps(1, 2)
                .nop());
        assertMessage(IllegalArgumentException.class, "use nop()", () -> IpPacketBuilder.ip("10.0.0.1", "10.0.0.2")
                .tcp(1, 2)
                .option(TcpOptions.NOP));
    }

    private static void assertMessage(Class<? extends RuntimeException> type, String part, Runnable r) {
        RuntimeException e = assertThrows(type, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void icmpv4ChecksumCoversNoPseudoHeader() {
        ByteBuf buf = echo4().build();
        try {
            assertTrue(InternetChecksum.verifies(InternetChecksum.sum(buf, 20, buf.readableBytes() - 20)));
        } finally {
            buf.release();
        }
    }

    @Test
    void divertPacketIsOutboundAndOwnsItsBuffer() {
        DivertPacket packet = syn().buildDivertPacket(PooledByteBufAllocator.DEFAULT);
        assertSame(DivertAddress.outbound(), packet.address());
        assertArrayEquals(ByteBufUtil.decodeHexDump(SYN_HEX), ByteBufUtil.getBytes(packet.content()));
        assertTrue(packet.release());
    }
}
