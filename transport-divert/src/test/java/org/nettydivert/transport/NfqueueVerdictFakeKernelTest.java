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
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.transport.nfqueue.NfqueueSocket;
import org.nettydivert.transport.nfqueue.RawInjector;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Errors;

/**
 * The one-verdict rule on {@link FakeNfqueueKernel}, through a real channel: what is refused (a
 * second write, a foreign queue, a malformed or truncated-and-changed packet), the drops of our
 * own (release, timeout, a full table), sendmsg refusing (EAGAIN: tried again; an error: those
 * writes fail and the packets are still dropped once released), injection and its order
 * against verdicts, and close.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NfqueueVerdictFakeKernelTest {
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

    private static DivertIoException ioFailure(ChannelFuture future, String errno) throws InterruptedException {
        DivertIoException e = assertInstanceOf(DivertIoException.class, outcome(future));
        assertEquals(errno, e.errnoName(), e.getMessage());
        return e;
    }

    // ---- refusals

    @Test
    void aPacketWrittenTwiceInOneFlushFailsTheSecondWriteAndGetsOneVerdict() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        p.retain();
        ChannelFuture[] futures = bed.writeInOneFlush(p, p);
        assertNull(outcome(futures[0]));
        assertTrue(ioFailure(futures[1], "ENOENT").getMessage().contains("no verdict pending"));
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(1, bed.kernel.verdicts().size());
        DivertStats stats = bed.channel.stats();
        assertEquals(1, stats.packetsReinjected());
        assertEquals(1, stats.writesFailed());
        assertEquals(0, stats.releaseDrops());
    }

    @Test
    void aPacketWrittenTwiceAmongOthersInOneFlushIsRefusedOnlyTheSecondTime() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        ps.get(0).retain();
        ChannelFuture[] futures = bed.writeInOneFlush(ps.get(0), ps.get(1), ps.get(0), ps.get(2));
        assertNull(outcome(futures[0]));
        assertNull(outcome(futures[1]));
        ioFailure(futures[2], "ENOENT");
        assertNull(outcome(futures[3]));
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(
                List.of(1L, 2L, 3L),
                bed.kernel.verdicts().stream().map(v -> v.id).toList());
    }

    @Test
    void aPacketWrittenAgainInALaterFlushIsRefused() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        p.retain();
        assertNull(outcome(bed.writeInOneFlush(p)[0]));
        ioFailure(bed.writeInOneFlush(p)[0], "ENOENT");
        assertEquals(1, bed.kernel.verdicts().size());
    }

    @Test
    void aPacketOfAnotherQueueIsRefused() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        DivertAddress a = p.address();
        DivertPacket foreign = p.withAddress(new DivertAddress(
                a.port() + 1, a.direction(), a.interfaceName(), a.interfaceAddress(), a.tag(), a.mark()));
        Throwable failure = outcome(bed.writeInOneFlush(foreign)[0]);
        assertInstanceOf(IllegalArgumentException.class, failure);
        assertTrue(bed.kernel.await(() -> !bed.kernel.verdicts().isEmpty()));
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict, "the packet was released by the failed write");
    }

    @Test
    void aMalformedChangedPacketIsRefusedAndDroppedOnceReleased() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        p.content().setShort(2, 500); // total length beyond the bytes
        assertTrue(ioFailure(bed.writeInOneFlush(p)[0], "EINVAL").getMessage().contains("total length"));
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
        assertEquals(1, bed.channel.stats().releaseDrops());
    }

    @Test
    void aRefusedPacketBetweenBatchedOnesDoesNotStopTheOthers() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        ps.get(1).content().setByte(0, 0x75); // IP version 7
        ChannelFuture[] futures = bed.writeInOneFlush(ps.toArray(new DivertPacket[0]));
        assertNull(outcome(futures[0]));
        ioFailure(futures[1], "EINVAL");
        assertNull(outcome(futures[2]));
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_ACCEPT, bed.kernel.verdictFor(1).verdict);
        assertEquals(NF_DROP, bed.kernel.verdictFor(2).verdict);
        assertEquals(NF_ACCEPT, bed.kernel.verdictFor(3).verdict);
        assertFalse(bed.kernel.verdictFor(3).batch, "a batch verdict would cover the refused packet");
    }

    @Test
    void aTruncatedPacketGoesBackWholeWhenUnchanged() throws Exception {
        bed.bind(new Bootstrap().option(DivertChannelOption.MAX_PACKET_SIZE, 1000), (ctx, p) -> bed.read.add(p));
        bed.kernel.queue(udp4(1, 2000), k -> k.copied = 1000);
        DivertPacket p = bed.take(1).get(0);
        assertTrue(p.isTruncated());
        assertEquals(2028, p.originalLength());
        assertEquals(1000, p.content().readableBytes());
        assertNull(outcome(bed.writeInOneFlush(p)[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(NF_ACCEPT, v.verdict);
        assertNull(v.payload, "the kernel's whole copy goes on");
        assertEquals(1, bed.channel.stats().packetsTruncated());
    }

    @Test
    void aTruncatedPacketChangedIsRefusedAndDroppedOnceReleased() throws Exception {
        bed.bind(new Bootstrap().option(DivertChannelOption.MAX_PACKET_SIZE, 1000), (ctx, p) -> bed.read.add(p));
        bed.kernel.queue(udp4(1, 2000), k -> k.copied = 1000);
        DivertPacket p = bed.take(1).get(0);
        p.content().setByte(40, 0x55);
        assertTrue(ioFailure(bed.writeInOneFlush(p)[0], "EINVAL").getMessage().contains("truncated"));
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
        DivertStats stats = bed.channel.stats();
        assertEquals(1, stats.packetsTruncated());
        assertEquals(1, stats.releaseDrops());
        assertEquals(1, stats.writesFailed());
    }

    // ---- drops of our own

    @Test
    void aPacketReleasedUnwrittenIsDroppedAndCounted() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        p.release();
        assertTrue(bed.kernel.awaitEmpty());
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(NF_DROP, v.verdict);
        assertNull(v.payload);
        assertTrue(bed.kernel.await(() -> bed.channel.stats().releaseDrops() == 1));
    }

    @Test
    void aPacketReleasedOnTheEventLoopIsDroppedAfterTheTask() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        bed.onLoop(() -> {
            p.release();
            assertTrue(bed.kernel.verdicts().isEmpty(), "not inside the task: a write may still come");
            return null;
        });
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
    }

    @Test
    void aSliceOfTheContentKeepsThePacketUntilItIsReleased() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        io.netty.buffer.ByteBuf slice = p.content().retainedSlice(0, 20);
        p.release();
        Thread.sleep(50);
        assertTrue(bed.kernel.verdicts().isEmpty(), "still referenced");
        slice.release();
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
    }

    @Test
    void aPacketNoHandlerTakesIsDroppedAndCountedAsUnhandled() throws Exception {
        bed.bind(new Bootstrap(), new ChannelInboundHandlerAdapter());
        bed.kernel.queue(udp4(1, 10));
        bed.kernel.queue(udp4(2, 10));
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
        assertEquals(NF_DROP, bed.kernel.verdictFor(2).verdict);
        DivertStats stats = bed.channel.stats();
        assertEquals(2, stats.packetsUnhandled());
        assertTrue(bed.kernel.await(() -> bed.channel.stats().releaseDrops() == 2));
    }

    @Test
    void aPacketHeldPastTheTimeoutIsDroppedAndItsLateWriteFails() throws Exception {
        bed.bind(new Bootstrap().option(DivertChannelOption.VERDICT_TIMEOUT_MILLIS, 100), (ctx, p) -> bed.read.add(p));
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
        assertEquals(1, bed.channel.stats().timeoutDrops());
        p.retain();
        ioFailure(bed.writeInOneFlush(p)[0], "ENOENT");
        p.release();
        Thread.sleep(50);
        assertEquals(1, bed.kernel.verdicts().size(), "its release adds nothing");
        assertEquals(0, bed.channel.stats().releaseDrops());
    }

    @Test
    void onlyPacketsOlderThanTheTimeoutAreDropped() throws Exception {
        // Far apart, so that a busy machine cannot make both expire in one sweep.
        bed.bind(new Bootstrap().option(DivertChannelOption.VERDICT_TIMEOUT_MILLIS, 1000), (ctx, p) -> bed.read.add(p));
        DivertPacket old = bed.deliver(udp4(1, 10)).get(0);
        Thread.sleep(500);
        DivertPacket young = bed.deliver(udp4(2, 10)).get(0);
        assertTrue(bed.kernel.await(() -> bed.kernel.verdictFor(1) != null));
        assertNull(bed.kernel.verdictFor(2), "the younger one still waits");
        assertNull(outcome(bed.writeInOneFlush(young)[0]));
        assertEquals(NF_ACCEPT, bed.kernel.verdictFor(2).verdict);
        old.release();
    }

    @Test
    void aFullTableDropsItsOldestPacketToMakeRoom() throws Exception {
        // QUEUE_MAXLEN 16: a table of 64 places, a packet's place its id modulo 64.
        bed.bind(new Bootstrap().option(DivertChannelOption.QUEUE_MAXLEN, 16), (ctx, p) -> bed.read.add(p));
        DivertPacket old = bed.deliver(udp4(1, 10)).get(0);
        bed.kernel.skipTo(65);
        DivertPacket young = bed.deliver(udp4(65, 10)).get(0);
        assertTrue(bed.kernel.await(() -> bed.kernel.verdictFor(1) != null));
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
        assertEquals(1, bed.channel.stats().timeoutDrops());
        ioFailure(bed.writeInOneFlush(old)[0], "ENOENT");
        assertNull(outcome(bed.writeInOneFlush(young)[0]));
        assertTrue(bed.kernel.awaitEmpty());
    }

    @Test
    void aBatchVerdictNeverCoversAnEvictedPacketsSuccessor() throws Exception {
        bed.bind(new Bootstrap().option(DivertChannelOption.QUEUE_MAXLEN, 16), (ctx, p) -> bed.read.add(p));
        DivertPacket held = bed.deliver(udp4(1, 10)).get(0);
        bed.kernel.skipTo(60);
        List<DivertPacket> ps = bed.deliver(udp4(60, 10), udp4(61, 10), udp4(62, 10));
        bed.writeInOneFlush(ps.toArray(new DivertPacket[0]));
        assertTrue(bed.kernel.awaitVerdicts(3));
        assertEquals(List.of(1L), bed.kernel.held());
        held.release();
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
    }

    // ---- sendmsg refusing

    @Test
    void aVerdictSendThatWouldBlockIsTriedAgainAndSentOnce() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10));
        ps.get(1).content().setByte(30, 9);
        bed.kernel.failSends(Errno.EAGAIN, Errno.EAGAIN);
        ChannelFuture[] futures = bed.writeInOneFlush(ps.toArray(new DivertPacket[0]));
        assertNull(outcome(futures[0]));
        assertNull(outcome(futures[1]));
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(2, bed.kernel.verdicts().size());
        assertEquals(3, bed.kernel.sendCalls(), "two refused, then one");
        assertEquals(2, bed.channel.stats().packetsReinjected());
    }

    @Test
    void aDropThatWouldBlockIsTriedAgainAndSentOnce() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10));
        bed.kernel.failSends(Errno.EAGAIN);
        ps.get(0).release();
        ps.get(1).release();
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(2, bed.kernel.verdicts().size());
        assertTrue(bed.kernel.await(() -> bed.channel.stats().releaseDrops() == 2));
    }

    @Test
    void aFailedVerdictSendFailsThoseWritesAndThePacketsAreDroppedOnceReleased() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10));
        bed.kernel.failSends(Errno.ENOBUFS);
        ChannelFuture[] futures = bed.writeInOneFlush(ps.toArray(new DivertPacket[0]));
        DivertIoException e = ioFailure(futures[0], "ENOBUFS");
        assertSame(e, outcome(futures[1]), "one failure for the batch");
        assertTrue(bed.kernel.awaitEmpty(), "released by the failed writes, then dropped");
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
        assertEquals(NF_DROP, bed.kernel.verdictFor(2).verdict);
        DivertStats stats = bed.channel.stats();
        assertEquals(2, stats.writesFailed());
        assertEquals(0, stats.packetsReinjected());
    }

    @Test
    void aDropWhoseSendFailsIsOwedStillAndSentOnceLaterWithoutOtherActivity() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10));
        bed.kernel.failSends(Errno.ENOBUFS);
        bed.onLoop(() -> ps.get(0).release());
        assertTrue(bed.kernel.await(() -> bed.kernel.verdicts().size() == 1), "the drop was never sent again");
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
        assertEquals(1, bed.exceptions.size(), "the failure reached the pipeline once: " + bed.exceptions);
        DivertIoException e = assertInstanceOf(DivertIoException.class, bed.exceptions.get(0));
        assertEquals("ENOBUFS", e.errnoName(), e.getMessage());
        assertTrue(bed.channel.isOpen());
        ps.get(1).release();
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(2, bed.kernel.verdicts().size(), "one verdict each");
    }

    @Test
    void aDropWhoseSendFailsDuringAWriteNeitherFailsTheWriteNorClosesTheChannel() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        ps.get(1).content().setByte(30, 9); // changed: its verdict goes alone, before the owed drop
        bed.kernel.failSends(0, Errno.ENOBUFS);
        ChannelFuture written = bed.onLoop(() -> {
            ps.get(0).release();
            return bed.channel.writeAndFlush(ps.get(1));
        });
        assertNull(outcome(written));
        assertTrue(bed.channel.isOpen(), "a failed drop closed the channel");
        assertTrue(bed.kernel.await(() -> bed.kernel.verdicts().size() == 2), "the drop was never sent again");
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
        assertEquals(NF_ACCEPT, bed.kernel.verdictFor(2).verdict);
        assertNull(outcome(bed.channel.writeAndFlush(ps.get(2))));
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(3, bed.kernel.verdicts().size(), "one verdict each");
    }

    @Test
    void aFailedSendFailsOnlyTheBatchItCarried() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10));
        DivertPacket injected =
                new DivertPacket(Unpooled.directBuffer().writeBytes(udp4(50, 10)), DivertAddress.outbound());
        bed.kernel.failSends(Errno.EPERM);
        ChannelFuture[] futures = bed.writeInOneFlush(ps.get(0), injected, ps.get(1));
        ioFailure(futures[0], "EPERM");
        assertNull(outcome(futures[1]));
        assertNull(outcome(futures[2]));
        assertTrue(bed.kernel.awaitEmpty());
        assertEquals(NF_DROP, bed.kernel.verdictFor(1).verdict);
        assertEquals(NF_ACCEPT, bed.kernel.verdictFor(2).verdict);
    }

    // ---- injection

    @Test
    void verdictsBatchedBeforeAnInjectedPacketAreSentBeforeIt() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10));
        byte[] newPacket = udp4(77, 10);
        DivertPacket injected =
                new DivertPacket(Unpooled.directBuffer().writeBytes(newPacket), DivertAddress.outbound());
        for (ChannelFuture f : bed.writeInOneFlush(ps.get(0), ps.get(1), injected, ps.get(2))) {
            assertNull(outcome(f));
        }
        List<String> order = bed.kernel.timeline().stream()
                .map(e -> e.isInjection() ? "inject" : String.valueOf(e.id))
                .toList();
        assertEquals(List.of("1", "2", "inject", "3"), order);
        assertEquals(ByteBufUtil.hexDump(newPacket), bed.kernel.timeline().get(2).payload);
        DivertStats stats = bed.channel.stats();
        assertEquals(1, stats.packetsInjected());
        assertEquals(3, stats.packetsReinjected());
    }

    @Test
    void anInjectionThatWouldBlockIsTriedAgainWithoutRepeatingTheVerdictsBeforeIt() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10));
        DivertPacket injected =
                new DivertPacket(Unpooled.directBuffer().writeBytes(udp6(5, 10)), DivertAddress.outbound());
        bed.kernel.failRawSends(Errno.EAGAIN);
        ChannelFuture[] futures = bed.writeInOneFlush(ps.get(0), injected, ps.get(1));
        for (ChannelFuture f : futures) {
            assertNull(outcome(f));
        }
        List<String> order = bed.kernel.timeline().stream()
                .map(e -> e.isInjection() ? "inject" : String.valueOf(e.id))
                .toList();
        assertEquals(List.of("1", "inject", "2"), order);
    }

    @Test
    void injectingAnInboundPacketIsRefused() throws Exception {
        bed.bind();
        DivertPacket p = new DivertPacket(Unpooled.directBuffer().writeBytes(udp4(1, 10)), DivertAddress.inbound("lo"));
        assertInstanceOf(UnsupportedOperationException.class, outcome(bed.writeInOneFlush(p)[0]));
        assertTrue(bed.kernel.timeline().isEmpty());
    }

    @Test
    void injectingAMalformedPacketIsRefused() throws Exception {
        bed.bind();
        DivertPacket p =
                new DivertPacket(Unpooled.directBuffer().writeBytes(new byte[] {0x45, 0, 0}), DivertAddress.outbound());
        ioFailure(bed.writeInOneFlush(p)[0], "EINVAL");
        assertTrue(bed.kernel.timeline().isEmpty());
    }

    @Test
    void aFailedInjectionFailsOnlyItsOwnWrite() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        DivertPacket injected =
                new DivertPacket(Unpooled.directBuffer().writeBytes(udp4(2, 10)), DivertAddress.outbound());
        bed.kernel.failRawSends(Errno.EMSGSIZE);
        ChannelFuture[] futures = bed.writeInOneFlush(injected, p);
        ioFailure(futures[0], "EMSGSIZE");
        assertNull(outcome(futures[1]));
        assertEquals(NF_ACCEPT, bed.kernel.verdictFor(1).verdict);
    }

    @Test
    void withoutRawSocketsInjectingSaysWhyAndReinjectingStillWorks() throws Exception {
        IOException why = Errors.newException("socket(AF_INET, SOCK_RAW)", Errno.EPERM, "needs CAP_NET_RAW");
        bed.channel = (DivertChannel) new Bootstrap()
                .group(bed.group)
                .channelFactory(() -> new DivertChannel((ch, address) ->
                        new NfqueueSocket(ch, address.port(), bed.kernel, new RawInjector(bed.kernel, -1, -1, why))))
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        bed.read.add((DivertPacket) msg);
                    }
                })
                .bind(DivertAddress.port(FakeNfqueueBed.QUEUE))
                .sync()
                .channel();
        assertEquals(1, bed.channel.socket().fds().length, "only the netlink socket");
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        DivertPacket injected =
                new DivertPacket(Unpooled.directBuffer().writeBytes(udp4(2, 10)), DivertAddress.outbound());
        ChannelFuture[] futures = bed.writeInOneFlush(p, injected);
        assertNull(outcome(futures[0]));
        assertSame(why, outcome(futures[1]));
    }

    // ---- verdicts other than a plain accept, asked for by the address written with

    @Test
    void aRepeatWithAMarkGoesThroughTheHookAgainCarryingTheNewMark() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        assertNull(outcome(bed.writeInOneFlush(p.withAddress(p.address().repeat(0x10)))[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(NF_REPEAT, v.verdict);
        assertEquals(0x10, v.mark);
        assertNull(v.payload, "unchanged: the kernel's copy goes through the hook again");
        assertNull(v.connmark);
        DivertPacket again = bed.take(1).get(0);
        assertEquals(2, again.address().tag(), "queued again under a new id");
        assertEquals(0x10, again.address().mark());
        assertEquals(DivertAddress.Verdict.ACCEPT, again.address().verdict());
        assertNull(outcome(bed.writeInOneFlush(again)[0]));
        assertTrue(bed.kernel.awaitEmpty());
    }

    @Test
    void aChangedPacketRepeatedCarriesItsBytesAndTheRepeatSeesThem() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        byte[] changed = udp4(7, 10);
        DivertPacket written = new DivertPacket(
                Unpooled.directBuffer().writeBytes(changed), p.address().repeat());
        assertNull(outcome(bed.writeInOneFlush(written)[0]));
        // Released after the write: released before, its drop could reach the kernel first.
        p.release();
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(NF_REPEAT, v.verdict);
        assertEquals(ByteBufUtil.hexDump(changed), v.payload);
        DivertPacket again = bed.take(1).get(0);
        assertEquals(ByteBufUtil.hexDump(changed), ByteBufUtil.hexDump(again.content()));
        again.release();
        assertTrue(bed.kernel.awaitEmpty());
    }

    @Test
    void aHandOffIsNfQueueWithTheQueueNumberInTheHighBits() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        assertNull(outcome(bed.writeInOneFlush(p.withAddress(p.address().handOff(0xBEEF)))[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(0xBEEF << 16 | 3, v.verdict, "NF_QUEUE_NR(0xBEEF)");
        assertEquals(0xBEEF, v.handOffQueue());
        assertNull(v.mark, "the mark is unchanged: not sent");
        assertNull(v.payload);
    }

    @Test
    void aConnmarkIsACtaMarkNestedInNfqaCtNextToTheVerdict() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        assertNull(outcome(bed.writeInOneFlush(p.withAddress(p.address().withConnmark(0xFFFF_FFFE)))[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(NF_ACCEPT, v.verdict);
        assertEquals(0xFFFF_FFFEL, v.connmark);
        assertNull(v.mark);
        assertNull(v.payload);
    }

    @Test
    void connlabelsAreAddedWithTheirOwnMaskSoTheConnectionsOtherLabelsStay() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        assertNull(outcome(bed.writeInOneFlush(p.withAddress(p.address().withConnlabels(0, 33, 127)))[0]));
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(java.util.BitSet.valueOf(new long[] {1L | 1L << 33, 1L << 63}), v.connlabels);
        assertNull(v.connmark);
        assertFalse(v.batch);
    }

    @Test
    void aHandOffWithConnmarkAndChangedBytesSendsAllThree() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        byte[] changed = udp4(9, 30);
        DivertPacket written = new DivertPacket(
                Unpooled.directBuffer().writeBytes(changed),
                p.address().handOff(2).withConnmark(5).withMark(6));
        assertNull(outcome(bed.writeInOneFlush(written)[0]));
        // Released after the write: released before, its drop could reach the kernel first.
        p.release();
        FakeNfqueueKernel.Event v = bed.kernel.verdictFor(1);
        assertEquals(2, v.handOffQueue());
        assertEquals(5L, v.connmark);
        assertEquals(6, v.mark);
        assertEquals(ByteBufUtil.hexDump(changed), v.payload);
    }

    /** A batch verdict is NF_ACCEPT for every packet it covers: it must not stand for any other. */
    @Test
    void unchangedPacketsWithOtherVerdictsAreNeverMergedIntoABatchVerdict() throws Exception {
        bed.bind();
        List<DivertPacket> ps = bed.deliver(udp4(1, 10), udp4(2, 10), udp4(3, 10), udp4(4, 10), udp4(5, 10));
        ChannelFuture[] futures = bed.writeInOneFlush(
                ps.get(0),
                ps.get(1).withAddress(ps.get(1).address().withConnmark(1)),
                ps.get(2).withAddress(ps.get(2).address().handOff(3)),
                ps.get(3).withAddress(ps.get(3).address().withConnlabels(3)),
                ps.get(4).withAddress(ps.get(4).address().repeat()));
        for (ChannelFuture f : futures) {
            assertNull(outcome(f));
        }
        List<FakeNfqueueKernel.Event> verdicts = bed.kernel.verdicts();
        assertTrue(verdicts.stream().noneMatch(v -> v.batch), verdicts.toString());
        assertEquals(NF_ACCEPT, bed.kernel.verdictFor(1).verdict);
        assertEquals(1L, bed.kernel.verdictFor(2).connmark);
        assertEquals(3, bed.kernel.verdictFor(3).handOffQueue());
        assertEquals(NF_ACCEPT, bed.kernel.verdictFor(4).verdict);
        assertEquals(java.util.BitSet.valueOf(new long[] {8}), bed.kernel.verdictFor(4).connlabels);
        assertEquals(NF_REPEAT, bed.kernel.verdictFor(5).verdict);
        bed.take(1).get(0).release(); // the repeated packet, back as id 6
        assertTrue(bed.kernel.awaitEmpty());
    }

    @Test
    void verdictsNeedAReadAddress() {
        assertThrows(IllegalStateException.class, () -> DivertAddress.outbound().repeat());
        assertThrows(IllegalStateException.class, () -> DivertAddress.outbound().handOff(1));
        assertThrows(IllegalStateException.class, () -> DivertAddress.outbound().withConnmark(1));
        assertThrows(IllegalStateException.class, () -> DivertAddress.port(1).repeat(5));
    }

    // ---- close

    @Test
    void closingSendsNoVerdictForHeldPacketsAndClosesEveryDescriptor() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        bed.channel.close().sync();
        p.release();
        Thread.sleep(50);
        assertTrue(bed.kernel.verdicts().isEmpty(), "the kernel drops a closed queue's packets itself");
        List<Integer> closed = bed.kernel.closed();
        assertTrue(closed.contains(bed.kernel.netlinkFd), closed.toString());
        assertTrue(closed.contains(bed.kernel.raw4Fd), closed.toString());
        assertTrue(closed.contains(bed.kernel.raw6Fd), closed.toString());
        bed.kernel.clearHeld(); // what the kernel drops on close
    }

    @Test
    void writingAfterCloseFails() throws Exception {
        bed.bind();
        DivertPacket p = bed.deliver(udp4(1, 10)).get(0);
        bed.channel.close().sync();
        assertNotNull(outcome(bed.channel.writeAndFlush(p)));
        bed.kernel.clearHeld();
    }
}
