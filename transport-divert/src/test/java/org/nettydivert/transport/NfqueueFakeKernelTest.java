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
package org.nettydivert.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nettydivert.transport.FakeNfqueueBed.outcome;
import static org.nettydivert.transport.FakeNfqueueBed.udp4;
import static org.nettydivert.transport.FakeNfqueueBed.udp6;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.util.IllegalReferenceCountException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.testing.Checksums;
import org.nettydivert.transport.nfqueue.NfqueueSocket;
import org.nettydivert.transport.unix.Errno;

/**
 * The NFQUEUE channel on {@link FakeNfqueueKernel}: reading packet messages, writing verdicts
 * back (unchanged without payload, changed with payload and mark, runs as batch verdicts),
 * refusals, release and timeout drops, injection and its order against verdicts, and sendmsg
 * failures, each through a real {@link DivertChannel} on a real event loop, with its promises and
 * counters. No root needed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NfqueueFakeKernelTest {
    private static final int NF_DROP = 0;
    private static final int NF_ACCEPT = 1;
    private static final int NF_REPEAT = 4;

    private final FakeNfqueueBed bed = new FakeNfqueueBed();

    @AfterEach
    void tearDown() {
        try {
            assertEquals(List.of(), bed.kernel.refused(), "no packet got a second verdict");
        } finally {
            bed.close();
        }
    }

    private static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }

    private static byte[] bytes(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf, buf.readerIndex(), buf.readableBytes());
    }

    // ---- reading

    @Test
    void aPacketIsReadWithItsIdAsTagItsMarkAndItsBytes() throws Exception {
        bed.bind();
        byte[] sent = udp4(1, 100);
        bed.kernel.queue(sent, k -> k.mark = 0x1234);
        DivertPacket p = bed.take(1).get(0);
        try {
            assertEquals(1, p.address().tag());
            assertEquals(0x1234, p.address().mark());
            assertEquals(FakeNfqueueBed.QUEUE, p.address().port());
            assertArrayEquals(sent, bytes(p.content()));
            assertFalse(p.isTruncated());
        } finally {
            p.release();
        }
    }

    @Test
    void theHookSaysTheDirection() throws Exception {
        bed.bind();
        int[] hooks = {0, 1, 2, 3, 4}; // PRE_ROUTING, LOCAL_IN, FORWARD, LOCAL_OUT, POST_ROUTING
        for (int hook : hooks) {
            bed.kernel.queue(udp4(hook, 10), k -> k.hook = hook);
        }
        List<DivertPacket> packets = bed.take(hooks.length);
        for (int i = 0; i < hooks.length; i++) {
            assertEquals(hooks[i] <= 2, packets.get(i).address().isInbound(), "hook " + hooks[i]);
            packets.get(i).release();
        }
    }

    @Test
    void theInterfaceIndexOfTheDirectionNamesTheInterface() throws Exception {
        bed.bind();
        int lo = java.net.NetworkInterface.getByName("lo").getIndex();
        FakeNfqueueKernel.Packet in = bed.kernel.queue(udp4(1, 10), k -> {
            k.hook = 1;
            k.inIndex = lo;
            k.outIndex = 999_999;
        });
        FakeNfqueueKernel.Packet out = bed.kernel.queue(udp4(2, 10), k -> {
            k.outIndex = lo;
        });
        List<DivertPacket> packets = bed.take(2);
        try {
            assertEquals("lo", packets.get(0).address().interfaceName());
            assertNotNull(packets.get(0).address().interfaceAddress());
            assertTrue(packets.get(0).address().interfaceAddress().isLoopbackAddress());
            assertEquals("lo", packets.get(1).address().interfaceName());
        } finally {
            packets.forEach(DivertPacket::release);
        }
    }

    @Test
    void anUnknownInterfaceIndexLeavesTheNameEmpty() throws Exception {
        bed.bind();
        bed.kernel.queue(udp4(1, 10), k -> k.outIndex = 999_999);
        DivertPacket p = bed.take(1).get(0);
        assertNull(p.address().interfaceName());
        assertNull(p.address().interfaceAddress());
        p.release();
    }

    @Test
    void aPacketMessageWithoutPayloadIsRepeatedAndReadInFullWhenQueuedAgain() throws Exception {
        bed.bind();
        byte[] sent = udp4(1, 50);
        bed.kernel.queue(sent, k -> k.withPayload = false);
        DivertPacket p = bed.take(1).get(0);
        try {
            assertEquals(2, p.address().tag(), "queued again under a new id");
            assertArrayEquals(sent, bytes(p.content()));
            FakeNfqueueKernel.Event repeat = bed.kernel.verdictFor(1);
            assertEquals(NF_REPEAT, repeat.verdict);
            assertNull(repeat.payload);
        } finally {
            p.release();
        }
        assertTrue(bed.kernel.awaitEmpty());
    }

    @Test
    void packetsBeyondTheBatchInOneDatagramAreRepeated() throws Exception {
        bed.bind(new Bootstrap().option(DivertChannelOption.BATCH_SIZE, 2), (ctx, p) -> bed.read.add(p));
        bed.kernel.queueInOneDatagram(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        List<DivertPacket> packets = bed.take(3);
        assertEquals(
                List.of(1L, 2L, 4L),
                packets.stream().map(p -> p.address().tag()).toList());
        assertEquals(NF_REPEAT, bed.kernel.verdictFor(3).verdict);
        bed.writeInOneFlush(packets.toArray(new DivertPacket[0]));
        assertTrue(bed.kernel.awaitEmpty());
    }

    @Test
    void aChecksumLeftToTheHardwareIsCompletedBeforeThePipelineSeesIt() throws Exception {
        bed.bind();
        byte[] sent = udp4(7, 33);
        bed.kernel.queue(sent, k -> k.skbInfo = 1); // NFQA_SKB_CSUMNOTREADY
        DivertPacket p = bed.take(1).get(0);
        try {
            byte[] got = bytes(p.content());
            int checksum = (got[26] & 0xFF) << 8 | got[27] & 0xFF;
            assertTrue(checksum != 0, "a UDP checksum was filled in");
            assertEquals(Checksums.udp4(got), checksum);
        } finally {
            p.release();
        }
    }

    /**
     * The completion waits for the pipeline's first look: a packet with a partial checksum written
     * back unseen, or seen but unchanged, goes back as the kernel's own copy (no payload), which
     * the kernel completes itself; changed, it carries the completed checksum.
     */
    @Test
    void aPartialChecksumIsCompletedOnlyWhenThePipelineLooks() throws Exception {
        bed.bind();
        for (int id = 1; id <= 3; id++) {
            bed.kernel.queue(udp4(id, 33), k -> k.skbInfo = 1); // NFQA_SKB_CSUMNOTREADY
        }
        List<DivertPacket> packets = bed.take(3);
        DivertPacket unseen = packets.get(0);
        DivertPacket seen = packets.get(1);
        DivertPacket changed = packets.get(2);
        byte[] seenBytes = bytes(seen.content());
        byte original = changed.content().getByte(40);
        changed.content().setByte(40, 0x77); // the pipeline's change, after the completion
        byte[] changedBytes = bytes(changed.content());
        for (DivertPacket p : packets) {
            assertNull(outcome(bed.writeInOneFlush(p)[0]));
        }
        assertNull(bed.kernel.verdictFor(1).payload, "unseen: the kernel's copy goes on");
        assertNull(bed.kernel.verdictFor(2).payload, "seen, not changed: the kernel's copy goes on");
        assertEquals(hex(changedBytes), bed.kernel.verdictFor(3).payload);
        byte[] changedAsRead = changedBytes.clone();
        changedAsRead[40] = original;
        for (byte[] got : List.of(seenBytes, changedAsRead)) {
            int checksum = (got[26] & 0xFF) << 8 | got[27] & 0xFF;
            assertEquals(Checksums.udp4(got), checksum);
        }
        assertEquals(2, bed.channel.stats().packetsReinjectedUnchanged());
    }

    /**
     * A pooled packet's address waits in its content until asked for: written back without
     * asking, it gets the verdict of the address it was read with (accept, under its id, its mark
     * unchanged so not sent), counted as reinjected; the address made later from the same packet
     * is that address; asked first after the release, it fails as a released buffer does.
     */
    @Test
    void aPacketWrittenBackWithoutAskingItsAddressGoesBackWithTheAddressItWasReadWith() throws Exception {
        bed.bind();
        bed.kernel.queue(udp4(1, 100), k -> k.mark = 0x77);
        bed.kernel.queue(udp4(2, 100), k -> k.mark = 0x78);
        List<DivertPacket> packets = bed.take(2);
        DivertPacket asked = packets.get(1);
        DivertAddress before = asked.address();
        assertSame(before, asked.recipient());
        assertSame(before, asked.sender());
        assertNull(outcome(bed.writeInOneFlush(packets.get(0), asked)[1]));
        assertTrue(bed.kernel.awaitEmpty());
        for (long id = 1; id <= 2; id++) {
            FakeNfqueueKernel.Event v = bed.kernel.verdictFor(id);
            assertEquals(NF_ACCEPT, v.verdict, "id " + id);
            assertNull(v.payload);
            assertNull(v.mark, "the mark as read is not sent");
        }
        assertEquals(2, bed.channel.stats().packetsReinjected());
        assertEquals(0, bed.channel.stats().packetsInjected());
        assertEquals(2, bed.channel.stats().packetsReinjectedUnchanged());

        bed.kernel.queue(udp4(3, 100), k -> k.mark = 0x79);
        DivertPacket released = bed.take(1).get(0);
        released.release();
        assertThrows(IllegalReferenceCountException.class, released::address);
        assertEquals("DivertPacket(released)", released.toString());
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(3).verdict);
    }

    @Test
    void theAddressOfAPooledPacketIsTheOneItWasReadWith() throws Exception {
        bed.bind();
        FakeNfqueueKernel.Packet q = bed.kernel.queue(udp4(1, 100));
        q.mark = 0x55;
        q.hook = 3; // LOCAL_OUT
        DivertPacket p = bed.take(1).get(0);
        try {
            DivertAddress a = p.address();
            assertEquals(FakeNfqueueBed.QUEUE, a.port());
            assertEquals(1, a.tag());
            assertEquals(0x55, a.mark());
            assertFalse(a.isInbound());
            assertEquals(DivertAddress.Verdict.ACCEPT, a.verdict());
            assertFalse(a.hasVerdictOptions());
            assertEquals(
                    new DivertAddress(FakeNfqueueBed.QUEUE, DivertAddress.Direction.OUTBOUND, null, null, 1, 0x55)
                            .toString(),
                    a.toString());
        } finally {
            p.release();
        }
    }

    /**
     * A payload over 16 KiB is a view of its receive buffer; once the packet is written (or
     * released) before the next read, as a pass-through does, that read uses the same buffer
     * again instead of a fresh 64 KiB one. A packet still held keeps its buffer.
     */
    @Test
    void aReceiveBufferFreedByItsLargePacketIsReusedByTheNextRead() throws Exception {
        bed.bind();
        bed.kernel.queue(udp4(1, 30_000));
        DivertPacket p1 = bed.take(1).get(0);
        long first = p1.content().memoryAddress(); // counts as a write: the verdict carries the bytes
        assertNull(outcome(bed.writeInOneFlush(p1)[0]));

        bed.kernel.queue(udp4(2, 30_000));
        DivertPacket p2 = bed.take(1).get(0);
        long second = p2.content().memoryAddress();
        assertEquals(first, second, "the same receive buffer");

        byte[] third = udp4(3, 30_000);
        bed.kernel.queue(third);
        DivertPacket p3 = bed.take(1).get(0);
        assertTrue(p3.content().memoryAddress() != second, "p2 still holds its buffer");
        assertArrayEquals(third, bytes(p3.content()));
        byte[] held = bytes(p2.content());
        assertArrayEquals(udp4(2, 30_000), held, "and its bytes are untouched by the read after it");
        assertNull(outcome(bed.writeInOneFlush(p2, p3)[0]));
        assertTrue(bed.kernel.awaitEmpty());
    }

    /**
     * Contents of up to 2 KiB are pooled (VerdictBuf.copyOf): the buffer of a packet written or
     * released is the content of a later one, which must show nothing of its predecessor: not
     * its bytes, length, id, mark, nor the write that made the predecessor go back with a payload.
     */
    @Test
    void aReusedContentShowsNothingOfThePacketBefore() throws Exception {
        bed.bind();
        byte[] first = udp4(1, 1000);
        bed.kernel.queue(first, k -> k.mark = 0x11);
        DivertPacket p1 = bed.take(1).get(0);
        ByteBuf reused = p1.content();
        reused.setByte(8, 63); // TTL 63: a change, so the verdict carries the bytes
        reused.markReaderIndex().readerIndex(20).resetReaderIndex();
        assertNull(outcome(bed.writeInOneFlush(p1)[0]));
        assertNotNull(bed.kernel.verdictFor(1).payload);

        byte[] second = udp4(2, 40);
        bed.kernel.queue(second, k -> k.mark = 0x22);
        DivertPacket p2 = bed.take(1).get(0);
        assertSame(reused, p2.content(), "the first packet's buffer, from the event loop's pool");
        assertEquals(2, p2.address().tag());
        assertEquals(0x22, p2.address().mark());
        assertArrayEquals(second, bytes(p2.content()), "its own bytes and length only");
        assertNull(outcome(bed.writeInOneFlush(p2)[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(2);
        assertEquals(NF_ACCEPT, v.verdict);
        assertNull(v.payload, "untouched: the first packet's write does not show");
        assertEquals(1, bed.channel.stats().packetsReinjectedUnchanged());

        byte[] third = udp4(3, 20);
        bed.kernel.queue(third);
        DivertPacket p3 = bed.take(1).get(0);
        assertSame(reused, p3.content());
        p3.release();
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(3).verdict, "released unwritten: dropped under its own id");
        assertEquals(1, bed.channel.stats().packetsReinjectedUnchanged());
    }

    @Test
    void aPayloadOver16KiBIsAViewOfTheReceiveBufferAndGoesBackUnchangedWithoutBytes() throws Exception {
        bed.bind();
        byte[] sent = udp4(1, 30_000);
        bed.kernel.queue(sent);
        DivertPacket p = bed.take(1).get(0);
        assertArrayEquals(sent, bytes(p.content()));
        assertNull(outcome(bed.writeInOneFlush(p)[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(NF_ACCEPT, v.verdict);
        assertNull(v.payload);
        assertEquals(1, bed.channel.stats().packetsReinjectedUnchanged());
    }

    @Test
    void aReadErrorOfNoBuffersIsCountedAndReadingGoesOn() throws Exception {
        bed.bind();
        bed.kernel.failReceives(Errno.ENOBUFS);
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        p.release();
        assertTrue(bed.kernel.await(() -> bed.channel.stats().overflows() == 1));
        assertTrue(bed.kernel.awaitEmpty());
    }

    @Test
    void theKernelRefusingAVerdictReachesThePipelineWithThePacketId() throws Exception {
        bed.bind();
        bed.kernel.rejectVerdictsFor(1);
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        assertNull(outcome(bed.writeInOneFlush(p)[0]), "sent; the kernel answers later");
        assertTrue(bed.kernel.await(() -> !bed.exceptions.isEmpty()));
        DivertIoException e = assertInstanceOf(DivertIoException.class, bed.exceptions.get(0));
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.getMessage().contains("packet id 1"), e.getMessage());
        bed.kernel.clearRefused(); // refused on purpose
    }

    // ---- writing back

    @Test
    void anUnchangedPacketGoesBackWithoutPayloadOrMark() throws Exception {
        bed.bind();
        bed.kernel.queue(udp4(1, 100), k -> k.mark = 5);
        DivertPacket p = bed.take(1).get(0);
        assertNull(outcome(bed.writeInOneFlush(p)[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(NF_ACCEPT, v.verdict);
        assertNull(v.payload);
        assertNull(v.mark, "the kernel keeps the packet's own mark");
        assertFalse(v.batch);
        DivertStats stats = bed.channel.stats();
        assertEquals(1, stats.packetsReinjected());
        assertEquals(1, stats.packetsReinjectedUnchanged());
    }

    @Test
    void aChangedPacketCarriesItsBytesAndMark() throws Exception {
        bed.bind();
        bed.kernel.queue(udp4(1, 100), k -> k.mark = 5);
        DivertPacket p = bed.take(1).get(0);
        p.content().setByte(40, 0x77);
        byte[] expected = bytes(p.content());
        assertNull(outcome(bed.writeInOneFlush(p)[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(NF_ACCEPT, v.verdict);
        assertEquals(hex(expected), v.payload);
        assertEquals(5, v.mark);
        assertEquals(0, bed.channel.stats().packetsReinjectedUnchanged());
    }

    @Test
    void anOddLengthChangedPacketIsSentWithoutItsPadding() throws Exception {
        bed.bind();
        bed.kernel.queue(udp4(1, 101));
        DivertPacket p = bed.take(1).get(0);
        p.content().setByte(40, 0x77);
        byte[] expected = bytes(p.content());
        assertEquals(1, expected.length % 4);
        assertNull(outcome(bed.writeInOneFlush(p)[0]));
        assertEquals(hex(expected), bed.kernel.verdictFor(1).payload);
    }

    @Test
    void aNewMarkAloneGoesWithTheMarkButWithoutTheBytes() throws Exception {
        bed.bind();
        bed.kernel.queue(udp4(1, 100), k -> k.mark = 5);
        DivertPacket p = bed.take(1).get(0);
        DivertPacket marked = p.withAddress(p.address().withMark(9));
        assertNull(outcome(bed.writeInOneFlush(marked)[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertNull(v.payload);
        assertEquals(9, v.mark);
        assertEquals(1, bed.channel.stats().packetsReinjectedUnchanged());
    }

    @Test
    void aChangedIpv4HeaderGetsItsChecksumRecomputed() throws Exception {
        bed.bind();
        bed.kernel.queue(udp4(1, 20));
        DivertPacket p = bed.take(1).get(0);
        p.content().setByte(8, 3); // TTL
        assertNull(outcome(bed.writeInOneFlush(p)[0]));
        byte[] sent = ByteBufUtil.decodeHexDump(bed.kernel.verdictFor(1).payload);
        assertEquals(3, sent[8]);
        assertEquals(FakeNfqueueBed.ipv4HeaderChecksum(sent), (sent[10] & 0xFF) << 8 | sent[11] & 0xFF);
    }

    @Test
    void aReplacedContentIsSentWithItsBytes() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 20)).get(0);
        byte[] other = udp4(99, 30);
        // Replaced and written in one event-loop task, as a handler would: the original's drop is void.
        ChannelFuture written = bed.onLoop(() -> {
            DivertPacket replaced = p.replace(Unpooled.directBuffer().writeBytes(other));
            p.release();
            return bed.channel.writeAndFlush(replaced);
        });
        assertNull(outcome(written));
        assertEquals(hex(other), bed.kernel.verdictFor(1).payload);
        assertEquals(1, bed.kernel.verdicts().size(), "the released original is not dropped as well");
    }

    @Test
    void aHeapContentIsCopiedToDirectMemoryAndSent() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 20)).get(0);
        byte[] other = udp4(98, 25);
        ChannelFuture written = bed.onLoop(() -> {
            DivertPacket replaced = p.replace(Unpooled.wrappedBuffer(other));
            p.release();
            return bed.channel.writeAndFlush(replaced);
        });
        assertNull(outcome(written));
        assertEquals(hex(other), bed.kernel.verdictFor(1).payload);
    }

    @Test
    void aPacketReplacedAndWrittenInTheReadLoopIsNotDroppedByTheOriginalsRelease() throws Exception {
        bed.bind(new Bootstrap(), (ctx, p) -> {
            DivertPacket copy = p.replace(Unpooled.directBuffer().writeBytes(p.content(), 0, 28));
            copy.content().setShort(2, 28); // IPv4 total length
            p.release(); // queues a drop that must come to nothing
            ctx.write(copy);
        });
        bed.kernel.queue(udp4(1, 100));
        assertTrue(bed.kernel.awaitEmpty());
        Thread.sleep(50);
        List<FakeNfqueueKernel.Event> verdicts = bed.kernel.verdicts();
        assertEquals(1, verdicts.size(), verdicts.toString());
        assertEquals(NF_ACCEPT, verdicts.get(0).verdict);
        assertEquals(56, verdicts.get(0).payload.length());
        assertEquals(0, bed.channel.stats().releaseDrops());
    }

    @Test
    void aRunOfUnchangedPacketsInArrivalOrderBecomesOneBatchVerdict() throws Exception {
        bed.bind();
        List<DivertPacket> packets = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10), udp4(4, 10));
        for (ChannelFuture f : bed.writeInOneFlush(packets.toArray(new DivertPacket[0]))) {
            assertNull(outcome(f));
        }
        List<FakeNfqueueKernel.Event> verdicts = bed.kernel.verdicts();
        assertEquals(4, verdicts.size());
        assertTrue(verdicts.stream().allMatch(v -> v.batch && v.verdict == NF_ACCEPT), verdicts.toString());
        assertEquals(1, bed.kernel.sendCalls());
        assertEquals(1, ((NfqueueSocket) bed.channel.socket()).batchVerdicts());
        assertEquals(4, bed.channel.stats().packetsReinjectedUnchanged());
    }

    @Test
    void oneUnchangedPacketIsAnOrdinaryVerdict() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        assertNull(outcome(bed.writeInOneFlush(p)[0]));
        assertFalse(bed.kernel.verdictFor(1).batch);
    }

    @Test
    void noBatchVerdictCoversAnOlderHeldPacket() throws Exception {
        bed.bind();
        List<DivertPacket> packets = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        bed.writeInOneFlush(packets.get(1), packets.get(2));
        assertTrue(bed.kernel.awaitVerdicts(2));
        assertEquals(List.of(1L), bed.kernel.held(), "the held packet is still waiting");
        assertTrue(bed.kernel.verdicts().stream().noneMatch(v -> v.batch));
        packets.get(0).release();
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
    }

    @Test
    void aBatchVerdictIsUsedAgainOnceTheHeldPacketIsAnswered() throws Exception {
        bed.bind();
        List<DivertPacket> packets = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10), udp4(4, 10));
        packets.get(0).release();
        assertTrue(bed.kernel.awaitVerdicts(1));
        bed.writeInOneFlush(packets.get(1), packets.get(2), packets.get(3));
        assertTrue(bed.kernel.awaitEmpty());
        assertTrue(bed.kernel.verdictFor(4).batch);
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
    }

    @Test
    void noBatchVerdictWhileADropOfOurOwnIsPending() throws Exception {
        bed.bind();
        List<DivertPacket> packets = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        bed.onLoop(() -> {
            packets.get(2).release(); // a drop queued, not sent yet
            channel().write(packets.get(0));
            channel().write(packets.get(1));
            channel().flush();
            return null;
        });
        assertTrue(bed.kernel.awaitEmpty());
        assertFalse(bed.kernel.verdictFor(1).batch);
        assertFalse(bed.kernel.verdictFor(2).batch);
        assertEquals(NF_DROP, bed.kernel.verdictFor(3).verdict);
    }

    private DivertChannel channel() {
        return bed.channel;
    }

    @Test
    void noBatchVerdictForPacketsOutOfArrivalOrder() throws Exception {
        bed.bind();
        List<DivertPacket> packets = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        bed.writeInOneFlush(packets.get(2), packets.get(1), packets.get(0));
        assertTrue(bed.kernel.awaitEmpty());
        List<FakeNfqueueKernel.Event> verdicts = bed.kernel.verdicts();
        assertEquals(List.of(3L, 2L, 1L), verdicts.stream().map(v -> v.id).toList());
        assertTrue(verdicts.stream().noneMatch(v -> v.batch));
    }

    @Test
    void noBatchVerdictWhenAPacketOfTheRunIsChanged() throws Exception {
        bed.bind();
        List<DivertPacket> packets = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        packets.get(1).content().setByte(30, 1);
        bed.writeInOneFlush(packets.toArray(new DivertPacket[0]));
        assertTrue(bed.kernel.awaitEmpty());
        assertTrue(bed.kernel.verdicts().stream().noneMatch(v -> v.batch));
        assertNotNull(bed.kernel.verdictFor(2).payload);
        assertNull(bed.kernel.verdictFor(3).payload);
    }

    @Test
    void noBatchVerdictWhenAPacketOfTheRunHasANewMark() throws Exception {
        bed.bind();
        List<DivertPacket> packets = bed.deliver(udp4(1, 10), udp4(2, 10));
        bed.writeInOneFlush(
                packets.get(0),
                packets.get(1).withAddress(packets.get(1).address().withMark(3)));
        assertTrue(bed.kernel.awaitEmpty());
        assertTrue(bed.kernel.verdicts().stream().noneMatch(v -> v.batch));
        assertEquals(3, bed.kernel.verdictFor(2).mark);
    }

    @Test
    void aWriteLargerThanTheSendBufferIsSplitIntoSeveralSends() throws Exception {
        bed.kernel.setSendBufferSize(4096);
        bed.bind();
        DivertPacket[] packets = bed.deliver(udp4(1, 1400), udp4(2, 1400), udp4(3, 1400), udp4(4, 1400), udp4(5, 1400))
                .toArray(new DivertPacket[0]);
        for (DivertPacket p : packets) {
            p.content().setByte(30, 1);
        }
        for (ChannelFuture f : bed.writeInOneFlush(packets)) {
            assertNull(outcome(f));
        }
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(
                List.of(1L, 2L, 3L, 4L, 5L),
                bed.kernel.verdicts().stream().map(v -> v.id).toList());
        assertTrue(bed.kernel.sendCalls() >= 3, "sends: " + bed.kernel.sendCalls());
    }

    @Test
    void idsAbove2To31AreUnsignedBothWays() throws Exception {
        bed.bind();
        bed.kernel.skipTo(0xFFFFFFF0L);
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        assertEquals(0xFFFFFFF0L, ps.get(0).address().tag());
        ps.get(2).content().setByte(30, 1);
        for (ChannelFuture f : bed.writeInOneFlush(ps.toArray(new DivertPacket[0]))) {
            assertNull(outcome(f));
        }
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(
                List.of(0xFFFFFFF0L, 0xFFFFFFF1L, 0xFFFFFFF2L),
                bed.kernel.verdicts().stream().map(v -> v.id).toList());
        assertNotNull(bed.kernel.verdictFor(0xFFFFFFF2L).payload);
    }

    @Test
    void aChangedIpv6PacketCarriesItsBytes() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp6(1, 30)).get(0);
        p.content().setByte(50, 0x42);
        byte[] expected = bytes(p.content());
        assertNull(outcome(bed.writeInOneFlush(p)[0]));
        assertEquals(hex(expected), bed.kernel.verdictFor(1).payload);
    }

    @Test
    void aWriteFromAnotherThreadIsAnsweredLikeOneOnTheLoop() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        assertNull(outcome(bed.channel.writeAndFlush(p)));
        assertEquals(NF_ACCEPT, bed.kernel.verdictFor(1).verdict);
    }

    @Test
    void aPipelineThatWritesEveryPacketBackAnswersEachReadLoopInOneSend() throws Exception {
        bed.bind(new Bootstrap(), (ctx, p) -> ctx.write(p));
        bed.onLoop(() -> {
            // Queued from the loop, so that all eight are read in one read loop.
            for (int i = 0; i < 8; i++) {
                bed.kernel.queue(udp4(i, 10 + i));
            }
            return null;
        });
        assertTrue(bed.kernel.awaitEmpty());
        List<FakeNfqueueKernel.Event> verdicts = bed.kernel.verdicts();
        assertEquals(8, verdicts.size());
        assertTrue(verdicts.stream().allMatch(v -> v.batch), verdicts.toString());
        assertEquals(1, bed.kernel.sendCalls());
        assertTrue(bed.kernel.await(() -> bed.channel.stats().packetsReinjectedUnchanged() == 8));
    }
}
