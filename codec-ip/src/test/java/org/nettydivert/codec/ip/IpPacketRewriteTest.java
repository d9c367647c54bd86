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

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertPacket;

class IpPacketRewriteTest {
    private static final long SEED = 20261123L;

    private static String randomAddress(Random r, boolean v6) throws Exception {
        byte[] b = new byte[v6 ? 16 : 4];
        r.nextBytes(b);
        return InetAddress.getByAddress(b).getHostAddress();
    }

    private static byte[] datagram(
            boolean v6, int protocol, String src, String dst, int sport, int dport, byte[] payload) {
        byte[] l4 = protocol == IpProtocol.TCP
                ? TestPackets.tcp(sport, dport, 1000, 2000, TcpHeader.ACK | TcpHeader.PSH, 512, new byte[0], payload)
                : TestPackets.udp(sport, dport, payload);
        return v6 ? TestPackets.ipv6(protocol, src, dst, l4) : TestPackets.ipv4(protocol, src, dst, l4);
    }

    private static byte[] bytesOf(IpPacket p) {
        return ByteBufUtil.getBytes(p.content(), p.l3Offset(), p.length());
    }

    @Test
    void natRewritesMatchPacketsBuiltFromScratch() throws Exception {
        Random r = new Random(SEED);
        for (int i = 0; i < 400; i++) {
            boolean v6 = r.nextBoolean();
            int protocol = r.nextBoolean() ? IpProtocol.TCP : IpProtocol.UDP;
            byte[] payload = new byte[r.nextInt(40)];
            r.nextBytes(payload);
            String src = randomAddress(r, v6);
            String dst = randomAddress(r, v6);
            String newSrc = randomAddress(r, v6);
            String newDst = randomAddress(r, v6);
            int sport = r.nextInt(65536);
            int dport = r.nextInt(65536);
            int newSport = r.nextInt(65536);
            int newDport = r.nextInt(65536);
            IpPacket p = IpPacket.decode(TestPackets.divert(datagram(v6, protocol, src, dst, sport, dport, payload)));
            try {
                p.setSourceAddress(InetAddress.getByName(newSrc))
                        .setDestinationAddress(InetAddress.getByName(newDst))
                        .setSourcePort(newSport)
                        .setDestinationPort(newDport)
                        .setTtl(17);
                byte[] expected = datagram(v6, protocol, newSrc, newDst, newSport, newDport, payload);
                if (v6) {
                    expected[7] = 17;
                } else {
                    expected[8] = 17;
                    TestPackets.put16(expected, 10, 0);
                    TestPackets.put16(expected, 10, ReferenceChecksum.checksum(java.util.Arrays.copyOf(expected, 20)));
                }
                assertTrue(p.verifyChecksums(), "round " + i + ": " + p);
                assertArrayEquals(expected, bytesOf(p), "round " + i + ": " + p);
            } finally {
                p.release();
            }
        }
    }

    @Test
    void addressRewriteFixesTheIcmpv6PseudoHeaderButNotIcmpv4() throws Exception {
        byte[] v6 = TestPackets.ipv6(
                IpProtocol.ICMPV6,
                "fd00::1",
                "fd00::2",
                TestPackets.icmpEcho(Icmpv6Header.ECHO_REQUEST, 1, 1, new byte[8]));
        byte[] v4 = TestPackets.ipv4(
                IpProtocol.ICMP,
                "10.0.0.1",
                "10.0.0.2",
                TestPackets.icmpEcho(IcmpHeader.ECHO_REQUEST, 1, 1, new byte[8]));
        for (byte[] d : new byte[][] {v6, v4}) {
            IpPacket p = IpPacket.decode(TestPackets.divert(d));
            try {
                int icmpChecksum = p.transportHeader().checksum();
                p.setDestinationAddress(InetAddress.getByName(p.isIpv6() ? "2001:db8::99" : "192.0.2.99"));
                assertTrue(p.verifyChecksums(), p.toString());
                assertEquals(p.isIpv4(), icmpChecksum == p.transportHeader().checksum());
            } finally {
                p.release();
            }
        }
    }

    @Test
    void addressOfTheWrongFamilyIsRefused() throws Exception {
        IpPacket p = IpPacket.decode(
                TestPackets.divert(datagram(false, IpProtocol.UDP, "10.0.0.1", "10.0.0.2", 1, 2, new byte[0])));
        try {
            InetAddress v6 = InetAddress.getByName("::1");
            assertThrows(IllegalArgumentException.class, () -> p.setSourceAddress(v6));
        } finally {
            p.release();
        }
    }

    @Test
    void portRewriteWithoutPortsIsRefused() {
        byte[] ping = TestPackets.ipv4(
                IpProtocol.ICMP,
                "10.0.0.1",
                "10.0.0.2",
                TestPackets.icmpEcho(IcmpHeader.ECHO_REQUEST, 1, 1, new byte[0]));
        IpPacket p = IpPacket.decode(TestPackets.divert(ping));
        try {
            assertThrows(IllegalStateException.class, () -> p.setDestinationPort(1));
        } finally {
            p.release();
        }
    }

    @Test
    void udpWithoutChecksumOverIpv4StaysWithout() throws Exception {
        byte[] d = datagram(false, IpProtocol.UDP, "10.0.0.1", "10.0.0.2", 1, 2, new byte[3]);
        TestPackets.put16(d, 26, 0);
        IpPacket p = IpPacket.decode(TestPackets.divert(d));
        try {
            p.setDestinationAddress(InetAddress.getByName("10.9.9.9")).setDestinationPort(9);
            assertEquals(0, p.udp().checksum());
            assertTrue(p.verifyChecksums());
        } finally {
            p.release();
        }
    }

    @Test
    void udpWithoutChecksumOverIpv6FailsVerification() {
        byte[] d = datagram(true, IpProtocol.UDP, "fd00::1", "fd00::2", 1, 2, new byte[3]);
        TestPackets.put16(d, 46, 0);
        IpPacket p = IpPacket.decode(TestPackets.divert(d));
        try {
            assertFalse(p.verifyChecksums());
        } finally {
            p.release();
        }
    }

    @Test
    void encoderWritesBackTheSameDivertPacketWithItsAddress() {
        DivertPacket in =
                TestPackets.divert(datagram(false, IpProtocol.TCP, "10.0.0.1", "10.0.0.2", 1, 2, new byte[5]));
        EmbeddedChannel channel = new EmbeddedChannel(new IpPacketEncoder(), new IpPacketDecoder());
        channel.writeInbound(in);
        IpPacket p = channel.readInbound();
        channel.writeOutbound(p);
        DivertPacket out = channel.readOutbound();
        assertSame(in, out);
        assertSame(TestPackets.INBOUND, out.address());
        assertEquals(1, out.refCnt());
        out.release();
        assertFalse(channel.finish());
    }

    @Test
    void roundTripLeavesTheBytesAsTheyWere() {
        Random r = new Random(SEED);
        EmbeddedChannel channel = new EmbeddedChannel(new IpPacketCodec());
        for (int i = 0; i < 100; i++) {
            byte[] payload = new byte[r.nextInt(100)];
            r.nextBytes(payload);
            byte[] d = r.nextBoolean()
                    ? datagram(true, IpProtocol.TCP, "fd00::1", "fd00::2", 5, 6, payload)
                    : datagram(false, IpProtocol.UDP, "10.1.1.1", "10.2.2.2", 5, 6, payload);
            channel.writeInbound(TestPackets.divert(d));
            IpPacket p = channel.readInbound();
            channel.writeOutbound(p);
            DivertPacket out = channel.readOutbound();
            assertArrayEquals(d, ByteBufUtil.getBytes(out.content()));
            out.release();
        }
        assertFalse(channel.finish());
    }

    @Test
    void encoderAlwaysRepairsTheIpv4HeaderChecksum() {
        EmbeddedChannel channel = new EmbeddedChannel(new IpPacketCodec());
        channel.writeInbound(
                TestPackets.divert(datagram(false, IpProtocol.UDP, "10.0.0.1", "10.0.0.2", 1, 2, new byte[1])));
        IpPacket p = channel.readInbound();
        p.ipv4().setTtl(1).setIdentification(0xABCD);
        assertFalse(p.verifyChecksums());
        channel.writeOutbound(p);
        DivertPacket out = channel.readOutbound();
        IpPacket again = IpPacket.decode(out);
        assertTrue(again.verifyChecksums());
        again.release();
        assertFalse(channel.finish());
    }

    @Test
    void fullChecksumModeRepairsAPayloadChange() {
        EmbeddedChannel channel =
                new EmbeddedChannel(new IpPacketCodec(MalformedPacketAction.DROP, IpPacketEncoder.ChecksumMode.FULL));
        channel.writeInbound(
                TestPackets.divert(datagram(true, IpProtocol.TCP, "fd00::1", "fd00::2", 1, 2, new byte[8])));
        IpPacket p = channel.readInbound();
        p.content().setLong(p.payloadOffset(), 0x0123_4567_89AB_CDEFL);
        assertFalse(p.verifyChecksums());
        channel.writeOutbound(p);
        IpPacket again = IpPacket.decode(channel.readOutbound());
        assertTrue(again.verifyChecksums());
        again.release();
        assertFalse(channel.finish());
    }

    @Test
    void ipHeaderModeLeavesTheTransportChecksumAlone() {
        EmbeddedChannel channel = new EmbeddedChannel(new IpPacketCodec());
        channel.writeInbound(
                TestPackets.divert(datagram(false, IpProtocol.TCP, "10.0.0.1", "10.0.0.2", 1, 2, new byte[8])));
        IpPacket p = channel.readInbound();
        int tcpChecksum = p.tcp().checksum();
        p.tcp().setWindow(1);
        channel.writeOutbound(p);
        IpPacket again = IpPacket.decode(channel.readOutbound());
        assertEquals(tcpChecksum, again.tcp().checksum());
        assertFalse(again.verifyChecksums());
        again.release();
        assertFalse(channel.finish());
    }

    @Test
    void recomputingRightChecksumsWritesNothing() {
        // Over a read-only buffer any write throws: an unchanged packet must stay untouched, so
        // that the Linux channel can pass the kernel's own copy on.
        byte[][] datagrams = {
            TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[] {1, 2, 3})),
            TestPackets.ipv4(
                    IpProtocol.TCP,
                    "10.0.0.1",
                    "10.0.0.2",
                    TestPackets.tcp(1, 2, 3, 4, 0x18, 100, new byte[0], new byte[] {9})),
            TestPackets.ipv6(IpProtocol.UDP, "fd00::1", "fd00::2", TestPackets.udp(1, 2, new byte[] {7}))
        };
        for (byte[] datagram : datagrams) {
            DivertPacket packet = new DivertPacket(TestPackets.buf(datagram).asReadOnly(), TestPackets.INBOUND);
            IpPacket ip = IpPacket.decode(packet);
            try {
                ip.updateChecksums();
                ip.updateIpChecksum();
                assertArrayEquals(datagram, ByteBufUtil.getBytes(packet.content()));
            } finally {
                ip.release();
            }
        }
    }

    @Test
    void aWrongChecksumIsStillRewritten() {
        byte[] datagram =
                TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, new byte[] {1, 2, 3}));
        byte[] broken = datagram.clone();
        broken[10] ^= 0x5A; // IPv4 header checksum
        broken[26] ^= 0x33; // UDP checksum
        IpPacket ip = IpPacket.decode(TestPackets.divert(broken));
        try {
            ip.updateChecksums();
            assertArrayEquals(datagram, ByteBufUtil.getBytes(ip.packet().content()));
        } finally {
            ip.release();
        }
    }
}
