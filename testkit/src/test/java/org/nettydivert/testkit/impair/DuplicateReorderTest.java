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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * Duplication and reordering against netem's {@code duplicate P} and {@code delay D reorder P gap
 * N}, by the models' formulas (netem is not in this machine's kernel).
 */
@ExtendWith(LeakCheck.class)
class DuplicateReorderTest {
    @Test
    void duplicatesComeWithTheirProbabilityAsInjectedCopies() {
        int n = 20_000;
        DuplicateHandler dup = DuplicateHandler.probability(0.05).seed(8).build();
        try (Bench bench = new Bench(dup)) {
            for (int i = 0; i < n; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i));
            }
            int duplicates = bench.out.size() - n;
            // sigma = sqrt(0.05 * 0.95 / 20000) = 0.0015
            assertEquals(0.05, duplicates / (double) n, 0.006, "duplication rate");
            assertEquals(duplicates, dup.packetsDuplicated());
            for (int i = 0; i < bench.out.size(); i++) {
                DivertPacket p = bench.out.get(i).packet();
                if (p.address().hasTag()) {
                    assertEquals(bench.out.get(i).seq(), p.address().tag(), "originals keep their read address");
                } else {
                    DivertPacket original = bench.out.get(i - 1).packet();
                    assertEquals(DivertAddress.outbound(), p.address(), "a duplicate is injected");
                    assertNotSame(original.content(), p.content());
                    assertTrue(ByteBufUtil.equals(original.content(), p.content()), "same bytes");
                    assertEquals(1, original.refCnt());
                    assertEquals(1, p.refCnt());
                }
            }
        }
    }

    @Test
    void inboundPacketsAreDuplicatedOntoTheirInterface() {
        DivertPacket inbound =
                Bench.udp(1).withAddress(new DivertAddress(7, DivertAddress.Direction.INBOUND, "eth0", null, 1, 0));
        assertEquals(DivertAddress.inbound("eth0"), DuplicateHandler.injectionAddressFor(inbound));
        inbound.release();
    }

    @Test
    void reorderSendsTheFractionPAtOnceAndTheyOvertake() {
        int n = 20_000;
        ReorderHandler reorder =
                ReorderHandler.builder(0.25, Duration.ofMillis(10)).seed(9).build();
        try (Bench bench = new Bench(reorder)) {
            for (int i = 0; i < n; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i));
            }
            bench.drain();
            assertEquals(n, bench.out.size());
            double atOnce = reorder.packetsSentAtOnce() / (double) n;
            assertEquals(0.25, reorder.expectedFractionSentAtOnce(), 1e-12);
            // sigma = sqrt(0.25 * 0.75 / 20000) = 0.0031
            assertEquals(0.25, atOnce, 0.013, "fraction sent at once");
            // Packets 1 ms apart, delayed 10 ms: each one sent at once overtakes those before it.
            int overtakers = overtakers(bench);
            assertEquals(reorder.packetsSentAtOnce(), overtakers, n * 0.001, "overtakers seen by the receiver");
        }
    }

    @Test
    void reorderGapKeepsNMinusOnePacketsDelayedAfterEachReordering() {
        int n = 20_000;
        ReorderHandler reorder = ReorderHandler.builder(0.25, Duration.ofMillis(10))
                .gap(3)
                .seed(10)
                .build();
        try (Bench bench = new Bench(reorder)) {
            for (int i = 0; i < n; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i));
            }
            bench.drain();
            // P / (1 + (N-1) P) = 0.25 / 1.5
            assertEquals(1 / 6.0, reorder.expectedFractionSentAtOnce(), 1e-12);
            assertEquals(1 / 6.0, reorder.packetsSentAtOnce() / (double) n, 0.012, "fraction sent at once");
            long[] at = new long[n];
            for (Bench.Out o : bench.out) {
                at[o.seq()] = o.nanos() - o.seq() * Bench.ms(1);
            }
            int sinceAtOnce = 2; // the counter starts at zero, as after a packet sent at once
            for (int i = 0; i < n; i++) {
                if (at[i] == 0) {
                    assertTrue(
                            sinceAtOnce >= 2,
                            "two packets delayed after each one sent at once, not at " + i + ": "
                                    + java.util.Arrays.toString(
                                            java.util.Arrays.copyOfRange(at, Math.max(0, i - 5), i + 1)));
                    sinceAtOnce = 0;
                } else {
                    sinceAtOnce++;
                }
            }
        }
    }

    @Test
    void reorderNeedsADelay() {
        assertEquals(
                "reorder delay PT0S is not positive: without a delay nothing is overtaken",
                assertThrows(IllegalArgumentException.class, () -> ReorderHandler.builder(0.1, Duration.ZERO))
                        .getMessage());
        assertEquals(
                "reorder gap 0 is less than 1",
                assertThrows(IllegalArgumentException.class, () -> ReorderHandler.builder(0.1, Duration.ofMillis(1))
                                .gap(0))
                        .getMessage());
        assertFalse(assertThrows(IllegalArgumentException.class, () -> DuplicateHandler.probability(-0.5))
                .getMessage()
                .isEmpty());
    }

    /** Packets that arrived while some packet sent before them had not: those sent at once, seen out of order. */
    static int overtakers(Bench bench) {
        int count = 0;
        java.util.BitSet arrived = new java.util.BitSet();
        for (Bench.Out o : bench.out) {
            arrived.set(o.seq());
            if (arrived.nextClearBit(0) < o.seq()) {
                count++;
            }
        }
        return count;
    }
}
