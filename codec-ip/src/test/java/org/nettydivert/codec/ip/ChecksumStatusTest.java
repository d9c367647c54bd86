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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Telling offloaded (partial) checksums from wrong ones. */
class ChecksumStatusTest {
    private static final byte[] PAYLOAD =
            "offloaded by the kernel".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static Map<ChecksumStatus, Integer> statuses(String capture, List<Boolean> verified) {
        Map<ChecksumStatus, Integer> counts = new EnumMap<>(ChecksumStatus.class);
        for (byte[] d : Captures.datagrams(capture)) {
            IpPacket p = IpPacket.decode(TestPackets.divert(d));
            counts.merge(p.checksumStatus(), 1, Integer::sum);
            verified.add(p.verifyChecksums());
            p.release();
        }
        return counts;
    }

    @Test
    void aVethCaptureHasPartialChecksumsNotBadOnes() {
        List<Boolean> verified = new ArrayList<>();
        Map<ChecksumStatus, Integer> counts = statuses(Captures.VETH, verified);
        // verifyChecksums() alone calls the 24 offloaded TCP and UDP checksums wrong, as tcpdump does.
        assertEquals(24, verified.stream().filter(v -> !v).count());
        assertEquals(Map.of(ChecksumStatus.GOOD, 4, ChecksumStatus.PARTIAL, 24), counts);
    }

    @Test
    void aLoopbackCaptureHasPartialChecksumsNotBadOnes() {
        List<Boolean> verified = new ArrayList<>();
        Map<ChecksumStatus, Integer> counts = statuses(Captures.ETHERNET, verified);
        // 11 + 10 TCP segments and the two whole UDP datagrams are offloaded; ICMP, ICMPv6 and the
        // fragments (checksummed in software before fragmenting, and not checkable alone) are not.
        assertEquals(23, verified.stream().filter(v -> !v).count());
        assertEquals(Map.of(ChecksumStatus.GOOD, 10, ChecksumStatus.PARTIAL, 23), counts);
    }

    /**
     * A datagram as Linux hands an offloaded one to the device: the TCP or UDP checksum field
     * holds {@code ~csum_tcpudp_magic(saddr, daddr, len, proto, 0)}, the folded pseudo-header sum.
     */
    private static byte[] partial(byte[] datagram) {
        IpPacket p = IpPacket.decode(TestPackets.divert(datagram));
        try {
            p.transportHeader().setChecksum(p.pseudoHeaderSum());
            byte[] out = new byte[p.length()];
            p.content().getBytes(p.l3Offset(), out);
            return out;
        } finally {
            p.release();
        }
    }

    private static List<byte[]> wholeDatagrams() {
        return List.of(
                TestPackets.ipv4(
                        IpProtocol.TCP,
                        "192.0.2.1",
                        "198.51.100.7",
                        TestPackets.tcp(40000, 443, 1, 2, 0x18, 64240, new byte[0], PAYLOAD)),
                TestPackets.ipv4(IpProtocol.UDP, "192.0.2.1", "198.51.100.7", TestPackets.udp(5353, 53, PAYLOAD)),
                TestPackets.ipv6(
                        IpProtocol.TCP,
                        "2001:db8::1",
                        "2001:db8::2",
                        TestPackets.tcp(40000, 443, 1, 2, 0x18, 64240, new byte[0], PAYLOAD)),
                TestPackets.ipv6(IpProtocol.UDP, "2001:db8::1", "2001:db8::2", TestPackets.udp(5353, 53, PAYLOAD)));
    }

    private static ChecksumStatus status(byte[] datagram) {
        IpPacket p = IpPacket.decode(TestPackets.divert(datagram));
        try {
            return p.checksumStatus();
        } finally {
            p.release();
        }
    }

    @Test
    void linuxShapedPartialChecksumsAreToldFromWrongOnes() {
        for (byte[] good : wholeDatagrams()) {
            assertEquals(ChecksumStatus.GOOD, status(good));
            byte[] partial = partial(good);
            assertEquals(ChecksumStatus.PARTIAL, status(partial));
            IpPacket p = IpPacket.decode(TestPackets.divert(partial));
            assertFalse(p.verifyChecksums());
            assertFalse(p.verifyChecksums(ChecksumPolicy.STRICT));
            assertTrue(p.verifyChecksums(ChecksumPolicy.ACCEPT_PARTIAL));
            int l4 = p.transportOffset() - p.l3Offset();
            int field = l4 + (p.protocol() == IpProtocol.TCP ? 16 : 6);
            p.release();

            byte[] offByOne = partial.clone();
            offByOne[field + 1] ^= 1;
            assertEquals(ChecksumStatus.BAD, status(offByOne));
            byte[] corrupt = good.clone();
            corrupt[corrupt.length - 1] ^= 0x40;
            assertEquals(ChecksumStatus.BAD, status(corrupt));
            // A partial checksum does not cover the data: corrupt data under one still reads partial.
            assertEquals(ChecksumStatus.PARTIAL, status(partial(corrupt)));
        }
    }

    @Test
    void completingAPartialChecksumAsTheDeviceDoesMakesItGood() {
        // skb_checksum_help: sum from csum_start to the end, the field (the pseudo-header sum)
        // included, and store the folded complement.
        for (byte[] good : wholeDatagrams()) {
            byte[] partial = partial(good);
            IpPacket p = IpPacket.decode(TestPackets.divert(partial));
            TransportHeader h = p.transportHeader();
            int sum = InternetChecksum.sum(p.content(), p.transportOffset(), p.transportLength());
            int completed = InternetChecksum.finish(sum);
            h.setChecksum(completed == 0 && p.protocol() == IpProtocol.UDP ? 0xFFFF : completed);
            assertEquals(ChecksumStatus.GOOD, p.checksumStatus());
            p.release();
        }
    }

    @Test
    void onlyTcpAndUdpAreOffloadedAndTheIpv4HeaderAlwaysCounts() {
        byte[] icmp =
                TestPackets.ipv4(IpProtocol.ICMP, "192.0.2.1", "198.51.100.7", TestPackets.icmpEcho(8, 1, 1, PAYLOAD));
        IpPacket p = IpPacket.decode(TestPackets.divert(icmp));
        // ICMP has no pseudo-header: a field holding 0 (its "pseudo-header sum") is just wrong.
        p.transportHeader().setChecksum(0);
        assertEquals(ChecksumStatus.BAD, p.checksumStatus());
        p.release();

        byte[] partial = partial(wholeDatagrams().get(0));
        partial[10] ^= 1; // the IPv4 header checksum
        assertEquals(ChecksumStatus.BAD, status(partial));

        byte[] udp6NoChecksum = wholeDatagrams().get(3).clone();
        udp6NoChecksum[40 + 6] = 0;
        udp6NoChecksum[40 + 7] = 0;
        assertEquals(ChecksumStatus.BAD, status(udp6NoChecksum));
    }

    @Test
    void theDecoderChecksChecksumsOnlyWhenAsked() {
        byte[] good = wholeDatagrams().get(0);
        byte[] partial = partial(good);
        byte[] bad = good.clone();
        bad[bad.length - 1] ^= 1;
        for (ChecksumPolicy policy : ChecksumPolicy.values()) {
            List<MalformedPacketEvent> events = new ArrayList<>();
            IpPacketDecoder decoder = new IpPacketDecoder(MalformedPacketAction.REPORT, policy);
            EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    events.add((MalformedPacketEvent) evt);
                }
            });
            int passed = 0;
            for (byte[] d : List.of(good, partial, bad)) {
                channel.writeInbound(TestPackets.divert(d));
                IpPacket p = channel.readInbound();
                if (p != null) {
                    passed++;
                    p.release();
                }
            }
            assertFalse(channel.finish());
            int expected = policy == ChecksumPolicy.IGNORE ? 3 : policy == ChecksumPolicy.ACCEPT_PARTIAL ? 2 : 1;
            assertEquals(expected, passed, policy.toString());
            assertEquals(3 - expected, decoder.malformedCount(), policy.toString());
            assertEquals(policy == ChecksumPolicy.ACCEPT_PARTIAL ? 1 : 0, decoder.partialChecksumCount());
            for (MalformedPacketEvent e : events) {
                assertEquals(MalformedReason.BAD_CHECKSUM, e.reason());
            }
            if (policy == ChecksumPolicy.STRICT) {
                assertTrue(
                        events.get(0).detail().contains("partial"),
                        events.get(0).detail());
                assertTrue(
                        events.get(1).detail().startsWith("wrong TCP checksum 0x"),
                        events.get(1).detail());
            }
        }
    }

    @Test
    void aReplayCanCompleteOffloadedChecksumsAsTheLiveChannelDoes(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        for (boolean complete : new boolean[] {false, true}) {
            java.nio.file.Path out = tmp.resolve(complete + ".pcap");
            OfflineReplay.builder()
                    .input(Captures.path(Captures.VETH))
                    .output(out)
                    .completePartialChecksums(complete)
                    .build()
                    .run(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    });
            List<byte[]> in = Captures.datagrams(Captures.VETH);
            List<byte[]> written = Captures.datagramsOf(out);
            assertEquals(in.size(), written.size());
            for (int i = 0; i < in.size(); i++) {
                IpPacket before = IpPacket.decode(TestPackets.divert(in.get(i)));
                IpPacket after = IpPacket.decode(TestPackets.divert(written.get(i)));
                ChecksumStatus expected = complete ? ChecksumStatus.GOOD : before.checksumStatus();
                assertEquals(expected, after.checksumStatus(), "record " + i);
                // Completed: the bytes a full recomputation gives. Not: the capture's bytes.
                byte[] expectedBytes = in.get(i);
                if (complete) {
                    before.updateChecksums();
                    expectedBytes = io.netty.buffer.ByteBufUtil.getBytes(before.content());
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(expectedBytes, written.get(i), "record " + i);
                before.release();
                after.release();
            }
        }
    }

    @Test
    void replayingARealCaptureThroughAStrictDecoderDropsTheOffloadedPackets() throws Exception {
        for (ChecksumPolicy policy : List.of(ChecksumPolicy.STRICT, ChecksumPolicy.ACCEPT_PARTIAL)) {
            IpPacketDecoder decoder = new IpPacketDecoder(MalformedPacketAction.DROP, policy);
            OfflineReplay.Result r = OfflineReplay.builder()
                    .input(Captures.path(Captures.VETH))
                    .build()
                    .run(decoder, new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    });
            assertEquals(policy == ChecksumPolicy.STRICT ? 4 : 28, r.written(), policy.toString());
        }
    }
}
