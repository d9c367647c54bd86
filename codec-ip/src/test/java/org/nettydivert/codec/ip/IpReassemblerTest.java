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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

class IpReassemblerTest {
    private static final byte[] PAYLOAD = payload(3000);
    private static final byte[] UDP4 =
            TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(5000, 53, PAYLOAD));
    /** What reassembling {@link #UDP4}'s fragments gives: the same datagram, with no DF (fragments have none). */
    private static final byte[] UDP4_WHOLE = Fragmenter.withoutDontFragment(UDP4);

    /** Every packet a test made, to check at the end that each was released exactly as it should be. */
    private final List<DivertPacket> made = new ArrayList<>();

    private EmbeddedChannel channel;

    @AfterEach
    void nothingLeaks() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        for (DivertPacket p : made) {
            assertEquals(0, p.refCnt(), () -> "not released: " + p);
        }
    }

    @Test
    void reassemblesInOrderAndTheWrittenVerdictGoesToTheOriginalFragments() {
        IpReassembler reassembler = new IpReassembler();
        Inspector inspector = new Inspector(Verdict.ACCEPT);
        channel = new EmbeddedChannel(reassembler, inspector);
        List<DivertPacket> fragments = packets(Fragmenter.ipv4(UDP4, 1480, 1480), 7);

        channel.writeInbound(fragments.get(0), fragments.get(1));
        assertEquals(0, inspector.seen.size());
        assertEquals(1, fragments.get(0).refCnt(), "held");
        channel.writeInbound(fragments.get(2));

        assertEquals(1, inspector.seen.size());
        assertArrayEquals(UDP4_WHOLE, inspector.seen.get(0));
        assertEquals(address(7), inspector.addresses.get(0));
        assertEquals(1, reassembler.reassembledCount());
        // Accepting the whole datagram sends the kernel's fragments on, unchanged, in offset order.
        for (DivertPacket f : fragments) {
            assertSame(f, channel.readOutbound());
            f.release();
        }
        assertNull(channel.readOutbound());
        assertEquals(0, reassembler.bytesHeld());
        assertEquals(0, reassembler.datagramsHeld());
    }

    @Test
    void reassemblesOutOfOrderWithTheAddressOfTheFragmentAtOffsetZero() {
        Inspector inspector = new Inspector(Verdict.ACCEPT);
        channel = new EmbeddedChannel(new IpReassembler(), inspector);
        List<byte[]> f = Fragmenter.ipv4(UDP4, 1000, 1000);
        DivertPacket last = divert(f.get(2), 11);
        DivertPacket first = divert(f.get(0), 12);
        DivertPacket middle = divert(f.get(1), 13);
        channel.writeInbound(last, first, middle);

        assertArrayEquals(UDP4_WHOLE, inspector.seen.get(0));
        assertEquals(address(12), inspector.addresses.get(0));
        for (DivertPacket expected : List.of(first, middle, last)) {
            DivertPacket out = channel.readOutbound();
            assertSame(expected, out);
            out.release();
        }
    }

    @Test
    void reassembledDatagramDecodesWithValidChecksums() {
        List<String> decoded = new ArrayList<>();
        byte[] tcp = TestPackets.ipv4(
                IpProtocol.TCP,
                "192.0.2.1",
                "192.0.2.2",
                TestPackets.bytes(0x01, 0x01, 0x01, 0x00), // NOP, NOP, NOP, EOL: an options field
                TestPackets.tcp(40000, 80, 1, 2, 0x18, 512, new byte[0], payload(2000)));
        channel = new EmbeddedChannel(
                new IpReassembler(), new IpPacketCodec(), new SimpleChannelInboundHandler<IpPacket>(false) {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, IpPacket msg) {
                        assertTrue(msg.verifyChecksums());
                        decoded.add(msg.toString());
                        ctx.writeAndFlush(msg);
                    }
                });
        List<DivertPacket> fragments = packets(Fragmenter.ipv4(tcp, 504, 512, 512), 1);
        for (int i = fragments.size() - 1; i >= 0; i--) {
            channel.writeInbound(fragments.get(i));
        }
        assertEquals(1, decoded.size());
        // Written back through the codec: the fragments go on.
        assertEquals(4, channel.outboundMessages().size());
        assertTrue(decoded.get(0).contains("TCP"), decoded.get(0));
        for (DivertPacket f : fragments) {
            assertSame(f, channel.readOutbound());
            f.release();
        }
    }

    @Test
    void releasingTheReassembledDatagramDropsTheFragments() {
        IpReassembler reassembler = new IpReassembler();
        channel = new EmbeddedChannel(reassembler, new Inspector(Verdict.DROP));
        List<DivertPacket> fragments = packets(Fragmenter.ipv4(UDP4, 1480, 1480), 1);
        for (DivertPacket f : fragments) {
            channel.writeInbound(f);
        }
        assertEquals(1, reassembler.droppedByVerdictCount());
        assertNull(channel.readOutbound());
        for (DivertPacket f : fragments) {
            assertEquals(0, f.refCnt());
        }
        assertEquals(0, reassembler.bytesHeld());
    }

    @Test
    void aReleaseAfterTheReadIsNoticedAtTheNextReadComplete() {
        IpReassembler reassembler = new IpReassembler();
        channel = new EmbeddedChannel(reassembler);
        List<DivertPacket> fragments = packets(Fragmenter.ipv4(UDP4, 1480), 1);
        channel.writeInbound(fragments.get(0), fragments.get(1));
        DivertPacket whole = channel.readInbound();
        assertArrayEquals(UDP4_WHOLE, ByteBufUtil.getBytes(whole.content()));
        whole.release();
        assertEquals(1, fragments.get(0).refCnt());
        DivertPacket other = divert(UDP4, 2);
        channel.writeInbound(other);
        assertSame(other, channel.readInbound());
        other.release();
        assertEquals(1, reassembler.droppedByVerdictCount());
        assertEquals(0, fragments.get(0).refCnt());
    }

    @Test
    void writingWithAnInjectionAddressSendsTheReassembledDatagramInstead() {
        channel = new EmbeddedChannel(new IpReassembler(), new Inspector(Verdict.INJECT));
        List<DivertPacket> fragments = packets(Fragmenter.ipv4(UDP4, 1480), 1);
        channel.writeInbound(fragments.get(0), fragments.get(1));
        DivertPacket out = channel.readOutbound();
        assertEquals(DivertAddress.outbound(), out.address());
        assertArrayEquals(UDP4_WHOLE, ByteBufUtil.getBytes(out.content()));
        out.release();
        assertNull(channel.readOutbound());
    }

    @Test
    void exactDuplicatesAreDroppedAndTheDatagramGoesOn() {
        IpReassembler reassembler = new IpReassembler();
        Inspector inspector = new Inspector(Verdict.DROP);
        channel = new EmbeddedChannel(reassembler, inspector);
        List<byte[]> f = Fragmenter.ipv4(UDP4, 1480, 1480);
        DivertPacket duplicate = divert(f.get(1), 2);
        channel.writeInbound(divert(f.get(1), 1), duplicate, divert(f.get(0), 3));
        assertEquals(0, duplicate.refCnt());
        assertEquals(1, reassembler.duplicateCount());
        channel.writeInbound(divert(f.get(2), 4));
        assertEquals(1, inspector.seen.size());
        assertArrayEquals(UDP4_WHOLE, inspector.seen.get(0));
        assertEquals(0, reassembler.overlappingCount());
    }

    @Test
    void overlappingFragmentsDiscardTheWholeDatagramAndItsLaterFragments() {
        IpReassembler reassembler = new IpReassembler();
        Inspector inspector = new Inspector(Verdict.ACCEPT);
        channel = new EmbeddedChannel(reassembler, inspector);
        List<byte[]> f = Fragmenter.ipv4(UDP4, 1480, 1480);
        DivertPacket first = divert(f.get(0), 1);
        // Starts 8 bytes before the end of the first: a rewrite of bytes already seen.
        DivertPacket overlapping = divert(Fragmenter.ipv4Fragment(UDP4, 1472, 1488, true), 2);
        channel.writeInbound(first, overlapping);
        assertEquals(1, reassembler.overlappingCount());
        assertEquals(0, first.refCnt());
        assertEquals(0, overlapping.refCnt());

        channel.writeInbound(divert(f.get(1), 3), divert(f.get(2), 4), divert(f.get(0), 5));
        assertEquals(0, inspector.seen.size());
        assertEquals(0, reassembler.bytesHeld());
        assertEquals(0, reassembler.reassembledCount());
    }

    @Test
    void theSameRangeWithOtherBytesIsAnOverlap() {
        IpReassembler reassembler = new IpReassembler();
        channel = new EmbeddedChannel(reassembler);
        byte[] f = Fragmenter.ipv4(UDP4, 1480, 1480).get(1);
        byte[] changed = f.clone();
        changed[changed.length - 1] ^= 1;
        channel.writeInbound(divert(f, 1), divert(changed, 2));
        assertEquals(1, reassembler.overlappingCount());
        assertEquals(0, reassembler.duplicateCount());
    }

    @Test
    void incompleteDatagramsTimeOutOnTheEventLoop() {
        IpReassembler reassembler =
                IpReassembler.builder().timeout(Duration.ofSeconds(2)).build();
        Inspector inspector = new Inspector(Verdict.ACCEPT);
        channel = new EmbeddedChannel(reassembler, inspector);
        List<byte[]> f = Fragmenter.ipv4(UDP4, 1480, 1480);
        channel.writeInbound(divert(f.get(0), 1), divert(f.get(2), 2));

        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(0, reassembler.timedOutCount());
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(1, reassembler.timedOutCount());
        assertEquals(0, reassembler.bytesHeld());

        // The missing fragment now starts a new datagram of its own, which never completes.
        channel.writeInbound(divert(f.get(1), 3));
        assertEquals(0, inspector.seen.size());
    }

    @Test
    void aVerdictNotGivenBeforeTheTimeoutDropsTheFragments() {
        IpReassembler reassembler =
                IpReassembler.builder().timeout(Duration.ofSeconds(2)).build();
        Inspector inspector = new Inspector(Verdict.HOLD);
        channel = new EmbeddedChannel(reassembler, inspector);
        List<DivertPacket> fragments = packets(Fragmenter.ipv4(UDP4, 1480), 1);
        channel.writeInbound(fragments.get(0), fragments.get(1));
        DivertPacket held = inspector.held.remove(0);
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(1, reassembler.timedOutCount());
        assertEquals(0, fragments.get(0).refCnt());
        assertEquals(1, held.refCnt(), "the holder's reference stays the holder's");
        held.release();
    }

    @Test
    void theOldestDatagramIsEvictedForANewOneBeyondTheLimit() {
        IpReassembler reassembler = IpReassembler.builder().maxDatagrams(2).build();
        Inspector inspector = new Inspector(Verdict.ACCEPT);
        channel = new EmbeddedChannel(reassembler, inspector);
        DivertPacket a = divert(Fragmenter.ipv4(withId(UDP4, 1), 1480).get(0), 1);
        DivertPacket b = divert(Fragmenter.ipv4(withId(UDP4, 2), 1480).get(0), 2);
        DivertPacket c = divert(Fragmenter.ipv4(withId(UDP4, 3), 1480).get(0), 3);
        channel.writeInbound(a, b, c);
        assertEquals(1, reassembler.evictedCount());
        assertEquals(0, a.refCnt());
        assertEquals(1, b.refCnt());
        assertEquals(2, reassembler.datagramsHeld());

        channel.writeInbound(divert(Fragmenter.ipv4(withId(UDP4, 3), 1480).get(1), 4));
        assertEquals(1, inspector.seen.size());
        channel.releaseOutbound();
    }

    @Test
    void bytesHeldStayWithinTheLimit() {
        IpReassembler reassembler =
                IpReassembler.builder().maxBytes(IpReassembler.MIN_BYTES).build();
        Inspector inspector = new Inspector(Verdict.HOLD);
        channel = new EmbeddedChannel(reassembler, inspector);
        byte[] big = TestPackets.ipv4(IpProtocol.UDP, "10.0.0.1", "10.0.0.2", TestPackets.udp(1, 2, payload(60_000)));
        // Each first fragment holds 30020 bytes: eight fit in 256 KiB, each further one evicts the oldest.
        for (int id = 1; id <= 10; id++) {
            channel.writeInbound(divert(Fragmenter.ipv4(withId(big, id), 30_000).get(0), id));
            assertTrue(reassembler.bytesHeld() <= IpReassembler.MIN_BYTES, () -> "held " + reassembler.bytesHeld());
        }
        assertEquals(2, reassembler.evictedCount());
        assertEquals(8, reassembler.datagramsHeld());

        // Completing one needs room for its copy too: older datagrams in progress make way.
        channel.writeInbound(divert(Fragmenter.ipv4(withId(big, 10), 30_000).get(1), 11));
        assertEquals(1, inspector.held.size());
        assertEquals(5, reassembler.evictedCount());
        assertTrue(reassembler.bytesHeld() <= IpReassembler.MIN_BYTES, () -> "held " + reassembler.bytesHeld());
        inspector.held.remove(0).release();
        channel.writeInbound(divert(UDP4, 12)); // the release is noticed at the next read
        assertEquals(1, reassembler.droppedByVerdictCount());
        inspector.held.remove(0).release();
    }

    @Test
    void refusesBadFragments() {
        IpReassembler reassembler = new IpReassembler();
        channel = new EmbeddedChannel(reassembler);
        byte[] tcp = TestPackets.ipv4(
                IpProtocol.TCP,
                "192.0.2.1",
                "192.0.2.2",
                TestPackets.tcp(40000, 80, 1, 2, 0x02, 512, new byte[0], payload(100)));
        // Tiny: a first fragment with 8 of the 20 bytes of the TCP header (RFC 1858).
        channel.writeInbound(divert(Fragmenter.ipv4Fragment(tcp, 0, 8, true), 1));
        // Misaligned: More Fragments and 100 bytes.
        channel.writeInbound(divert(Fragmenter.ipv4Fragment(UDP4, 0, 100, true), 2));
        // Past 65535: the last 8-byte unit ends at 65536 + 20 - 8.
        byte[] far = Fragmenter.ipv4Fragment(UDP4, 0, 16, false);
        TestPackets.put16(far, 6, 65528 / 8);
        channel.writeInbound(divert(far, 3));
        // Empty.
        channel.writeInbound(divert(Fragmenter.ipv4Fragment(UDP4, 8, 0, true), 4));
        assertEquals(4, reassembler.invalidCount());
        assertEquals(0, reassembler.datagramsHeld());
        assertNull(channel.readInbound());

        // Two last fragments that disagree on the end: the datagram is discarded.
        channel.writeInbound(
                divert(Fragmenter.ipv4Fragment(UDP4, 1480, 800, false), 5),
                divert(Fragmenter.ipv4Fragment(UDP4, 2960, 48, false), 6));
        assertEquals(5, reassembler.invalidCount());
        assertEquals(0, reassembler.bytesHeld());
    }

    @Test
    void refusesAnIpv6FirstFragmentThatCutsTheHeaderChain() {
        IpReassembler reassembler = new IpReassembler();
        channel = new EmbeddedChannel(reassembler);
        byte[] whole = TestPackets.ipv6(
                IpProtocol.DESTINATION_OPTIONS,
                "2001:db8::1",
                "2001:db8::2",
                TestPackets.extension(IpProtocol.UDP, 0),
                IpProtocol.UDP,
                TestPackets.udp(1, 2, payload(100)));
        // RFC 7112: the destination options fit in the first 8 bytes, the UDP header does not.
        channel.writeInbound(divert(Fragmenter.ipv6Fragment(whole, 40, 6, 5, 0, 8, true), 1));
        // 16 bytes hold both: accepted and held.
        channel.writeInbound(divert(Fragmenter.ipv6Fragment(whole, 40, 6, 6, 0, 16, true), 2));
        assertEquals(1, reassembler.invalidCount());
        assertEquals(1, reassembler.datagramsHeld());
    }

    @Test
    void tooManyFragmentsDiscardTheDatagram() {
        IpReassembler reassembler =
                IpReassembler.builder().maxFragmentsPerDatagram(3).build();
        channel = new EmbeddedChannel(reassembler);
        for (byte[] f : Fragmenter.ipv4(UDP4, 504, 504, 504, 504)) {
            channel.writeInbound(divert(f, 1));
        }
        assertEquals(1, reassembler.invalidCount());
        assertEquals(0, reassembler.bytesHeld());
        assertNull(channel.readInbound());
    }

    @Test
    void nonFragmentsAndUnparsableDatagramsPassUntouched() {
        IpReassembler reassembler = new IpReassembler();
        channel = new EmbeddedChannel(reassembler);
        byte[] v6 = TestPackets.ipv6(IpProtocol.UDP, "fd00::1", "fd00::2", TestPackets.udp(1, 2, payload(10)));
        byte[] atomic = Fragmenter.ipv6(v6, 40, 6, 99).get(0);
        for (byte[] datagram : List.of(UDP4, v6, atomic, TestPackets.bytes(0x45, 0, 0), new byte[0])) {
            DivertPacket p = divert(datagram, 1);
            channel.writeInbound(p);
            assertSame(p, channel.readInbound());
            p.release();
        }
        Object other = "not a packet";
        channel.writeInbound(other);
        assertSame(other, channel.readInbound());
        assertEquals(0, reassembler.invalidCount());
    }

    @Test
    void reassemblesIpv6AfterExtensionHeadersAndChainsTheNextHeader() {
        // Hop-by-hop and routing stay in every fragment; destination options and UDP are fragmented.
        byte[] extensions = ReferenceChecksum.concat(
                TestPackets.extension(IpProtocol.ROUTING, 0),
                TestPackets.extension(IpProtocol.DESTINATION_OPTIONS, 1),
                TestPackets.extension(IpProtocol.UDP, 0));
        byte[] whole = TestPackets.ipv6(
                IpProtocol.HOP_BY_HOP,
                "2001:db8::1",
                "2001:db8::2",
                extensions,
                IpProtocol.UDP,
                TestPackets.udp(7, 9, payload(2500)));
        int unfragmentable = 40 + 8 + 16;
        int routingNextHeader = 40 + 8;
        IpReassembler reassembler = new IpReassembler();
        Inspector inspector = new Inspector(Verdict.ACCEPT);
        channel = new EmbeddedChannel(reassembler, inspector);
        List<DivertPacket> fragments =
                packets(Fragmenter.ipv6(whole, unfragmentable, routingNextHeader, 0x1234, 1232, 1232), 20);
        channel.writeInbound(fragments.get(2), fragments.get(0), fragments.get(1));

        assertEquals(1, inspector.seen.size());
        assertArrayEquals(whole, inspector.seen.get(0));
        IpPacket decoded = IpPacket.decode(divert(inspector.seen.get(0), 1));
        assertEquals(IpProtocol.UDP, decoded.protocol());
        assertFalse(decoded.isFragment());
        assertTrue(decoded.verifyChecksums());
        decoded.release();
        for (DivertPacket f : fragments) {
            assertSame(f, channel.readOutbound());
            f.release();
        }
    }

    @Test
    void ipv6FragmentsOfDifferentIdentificationsOrDirectionsStayApart() {
        byte[] whole =
                TestPackets.ipv6(IpProtocol.UDP, "2001:db8::1", "2001:db8::2", TestPackets.udp(1, 2, payload(2000)));
        IpReassembler reassembler = new IpReassembler();
        channel = new EmbeddedChannel(reassembler);
        List<byte[]> a = Fragmenter.ipv6(whole, 40, 6, 1, 1232);
        List<byte[]> b = Fragmenter.ipv6(whole, 40, 6, 2, 1232);
        DivertAddress outbound = new DivertAddress(8668, DivertAddress.Direction.OUTBOUND, "em0", null, 5, 0);
        channel.writeInbound(
                divert(a.get(0), 1),
                divert(b.get(1), 2),
                track(new DivertPacket(Unpooled.wrappedBuffer(a.get(1)), outbound)));
        assertNull(channel.readInbound());
        assertEquals(3, reassembler.datagramsHeld());
        channel.writeInbound(divert(b.get(0), 3));
        DivertPacket out = channel.readInbound();
        assertArrayEquals(whole, ByteBufUtil.getBytes(out.content()));
        out.release();
    }

    @Test
    void closingTheChannelReleasesEverythingHeld() {
        IpReassembler reassembler = new IpReassembler();
        Inspector inspector = new Inspector(Verdict.HOLD);
        channel = new EmbeddedChannel(reassembler, inspector);
        List<byte[]> f = Fragmenter.ipv4(UDP4, 1480, 1480);
        channel.writeInbound(divert(f.get(0), 1), divert(f.get(1), 2));
        List<byte[]> g = Fragmenter.ipv4(withId(UDP4, 9), 1480);
        channel.writeInbound(divert(g.get(0), 3), divert(g.get(1), 4));
        assertEquals(1, inspector.held.size());
        channel.close();
        assertEquals(0, reassembler.bytesHeld());
        inspector.held.remove(0).release();
    }

    @Test
    void removingTheHandlerReleasesEverythingHeld() {
        IpReassembler reassembler = new IpReassembler();
        channel = new EmbeddedChannel(reassembler);
        channel.writeInbound(divert(Fragmenter.ipv4(UDP4, 1480).get(0), 1));
        channel.pipeline().remove(reassembler);
        assertEquals(0, reassembler.bytesHeld());
    }

    private enum Verdict {
        ACCEPT,
        DROP,
        INJECT,
        HOLD
    }

    /** Stands for an inspecting handler: records what it sees and gives the same verdict on everything. */
    private static final class Inspector extends ChannelInboundHandlerAdapter {
        final Verdict verdict;
        final List<byte[]> seen = new ArrayList<>();
        final List<DivertAddress> addresses = new ArrayList<>();
        final List<DivertPacket> held = new ArrayList<>();

        Inspector(Verdict verdict) {
            this.verdict = verdict;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DivertPacket p = (DivertPacket) msg;
            seen.add(ByteBufUtil.getBytes(p.content()));
            addresses.add(p.address());
            switch (verdict) {
                case ACCEPT:
                    ctx.writeAndFlush(p);
                    break;
                case DROP:
                    p.release();
                    break;
                case INJECT:
                    ctx.writeAndFlush(p.withAddress(DivertAddress.outbound()));
                    break;
                default:
                    held.add(p);
            }
        }
    }

    private static DivertAddress address(long tag) {
        return new DivertAddress(8668, DivertAddress.Direction.INBOUND, "em0", null, tag, 0);
    }

    private DivertPacket divert(byte[] datagram, long tag) {
        return track(new DivertPacket(Unpooled.buffer(datagram.length).writeBytes(datagram), address(tag)));
    }

    private DivertPacket track(DivertPacket p) {
        made.add(p);
        return p;
    }

    private List<DivertPacket> packets(List<byte[]> datagrams, long firstTag) {
        List<DivertPacket> out = new ArrayList<>();
        for (byte[] d : datagrams) {
            out.add(divert(d, firstTag++));
        }
        return out;
    }

    private static byte[] withId(byte[] ipv4, int id) {
        byte[] d = ipv4.clone();
        TestPackets.put16(d, 4, id);
        return d;
    }

    private static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }
}
