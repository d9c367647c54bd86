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
package org.nettydivert.testkit.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/** Reference counts, held packets at removal and close, selection, and reproducibility. */
@ExtendWith(LeakCheck.class)
class ImpairmentLifecycleTest {
    private static DelayHandler delay50() {
        return DelayHandler.builder().delay(Duration.ofMillis(50)).seed(1).build();
    }

    @Test
    void closingTheChannelReleasesHeldPacketsAndCountsThem() {
        DelayHandler delay = delay50();
        Bench bench = new Bench(delay);
        for (int i = 0; i < 10; i++) {
            bench.readAt(i * Bench.ms(1), Bench.udpTracked(i));
        }
        assertEquals(10, delay.packetsHeld());
        bench.channel.close().syncUninterruptibly();
        assertEquals(10, delay.packetsDiscarded());
        assertEquals(0, delay.packetsHeld());
        for (DivertPacket p : bench.in) {
            assertEquals(0, p.refCnt(), "released once, by the handler");
        }
        bench.drain();
        assertTrue(bench.out.isEmpty(), "no timer fires after the close");
        bench.close();
    }

    @Test
    void removingTheHandlerReleasesHeldPackets() {
        RateLimitHandler limit =
                RateLimitHandler.builder(1000, 1000).queueLimit(100_000).seed(2).build();
        try (Bench bench = new Bench(limit)) {
            for (int i = 0; i < 10; i++) {
                bench.readAt(0, Bench.udp(i, 9000, 472)); // 500 bytes: two fit the bucket, eight wait
            }
            assertEquals(2, bench.out.size());
            assertEquals(8, limit.packetsHeld());
            bench.channel.pipeline().remove(limit);
            assertEquals(8, limit.packetsDiscarded());
            for (int i = 2; i < 10; i++) {
                assertEquals(0, bench.in.get(i).refCnt());
            }
            bench.drain();
            assertEquals(2, bench.out.size());
            bench.readAt(Bench.ms(10_000), Bench.udp(99));
            assertEquals(3, bench.out.size(), "without the handler packets pass");
        }
    }

    @Test
    void everyPacketIsPassedOnOrReleasedExactlyOnce() {
        // All six in one pipeline: what comes out has one reference, the rest none.
        List<ImpairmentHandler> handlers = List.of(
                DelayHandler.builder()
                        .delay(Duration.ofMillis(5))
                        .jitter(Duration.ofMillis(5))
                        .seed(3)
                        .build(),
                LossHandler.gilbertElliott(0.1, 0.3, 0.5, 0.05).seed(4).build(),
                DuplicateHandler.probability(0.2).seed(5).build(),
                ReorderHandler.builder(0.3, Duration.ofMillis(3)).seed(6).build(),
                RateLimitHandler.builder(200_000, 2000).queueLimit(5000).seed(7).build(),
                CorruptHandler.probability(0.3).seed(8).build());
        try (Bench bench = new Bench(handlers.toArray(ImpairmentHandler[]::new))) {
            for (int i = 0; i < 5000; i++) {
                bench.readAt(i * Bench.ms(0.5), Bench.udpTracked(i));
            }
            bench.drain();
            for (Bench.Out o : bench.out) {
                assertEquals(1, o.packet().refCnt());
            }
            long outOriginals = bench.out.stream()
                    .filter(o -> o.packet().address().hasTag())
                    .count();
            long released = bench.in.stream().filter(p -> p.refCnt() == 0).count();
            assertEquals(5000, outOriginals + released, "each read packet came out or was released");
            for (ImpairmentHandler h : handlers) {
                assertEquals(0, h.packetsHeld());
            }
        }
    }

    @Test
    void unselectedPacketsAndOtherMessagesPassUntouched() {
        LossHandler loss = LossHandler.random(1)
                .select(FlowSelector.udp().and(FlowSelector.destinationPort(53)))
                .seed(9)
                .build();
        try (Bench bench = new Bench(loss)) {
            bench.readAt(0, Bench.udp(1, 53, 10));
            bench.readAt(0, Bench.udp(2, 54, 10));
            assertEquals(List.of(2), bench.seqs());
            Object other = Unpooled.buffer(4).writeInt(7);
            bench.channel.writeInbound(other);
            assertEquals(1, bench.others.size());
            assertSame(other, bench.others.get(0));
            assertEquals(1, loss.packetsSelected());
        }
    }

    @Test
    void selectorsReadAddressesPortsAndDirections() throws Exception {
        DivertPacket p = Bench.udp(1, 9000, 10);
        try {
            assertTrue(FlowSelector.source(InetAddress.getByName("10.0.0.1")).test(p));
            assertTrue(
                    FlowSelector.destination(InetAddress.getByName("10.0.0.2")).test(p));
            assertTrue(FlowSelector.address(InetAddress.getByName("10.0.0.2")).test(p));
            assertTrue(FlowSelector.port(4000).test(p));
            assertTrue(FlowSelector.sourcePort(4000)
                    .and(FlowSelector.destinationPort(9000))
                    .test(p));
            assertTrue(FlowSelector.tcp().negate().test(p));
            assertTrue(FlowSelector.direction(DivertAddress.Direction.OUTBOUND).test(p));
            assertTrue(!FlowSelector.destination(InetAddress.getByName("::1")).test(p));
        } finally {
            p.release();
        }
    }

    @Test
    void theSeedAHandlerPickedIsToldAndRepeatsItsRun() {
        LossHandler first = LossHandler.random(0.5).build();
        long seed = first.seed().orElseThrow();
        boolean[] a = LossHandlerTest.lossPattern(first, 1000);
        boolean[] b =
                LossHandlerTest.lossPattern(LossHandler.random(0.5).seed(seed).build(), 1000);
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
        assertTrue(LossHandler.random(0.5)
                .random(new java.util.SplittableRandom(1))
                .build()
                .seed()
                .isEmpty());
    }
}
