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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.transport.DivertPacket;

/**
 * The token bucket against tbf's model ({@code burst + rate * T} bytes at most over any time T
 * while packets keep coming), and corruption against netem's {@code corrupt P} (one bit flipped
 * per corrupted packet).
 */
@ExtendWith(LeakCheck.class)
class RateCorruptTest {
    @Test
    void aSaturatedBucketSendsBurstPlusRateTimesTime() {
        // 600 bytes every millisecond (600 KB/s) into a 100 KB/s bucket of 3000 bytes.
        long rate = 100_000;
        long burst = 3000;
        RateLimitHandler limit = RateLimitHandler.builder(rate, burst)
                .queueLimit(30_000)
                .seed(11)
                .build();
        int n = 2000;
        try (Bench bench = new Bench(limit)) {
            for (int i = 0; i < n; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i, 9000, 572));
                assertTrue(limit.packetsHeld() * 600L <= 30_000, "the queue stays within its limit");
            }
            bench.drain();
            long bytes = 0;
            long first = bench.out.get(0).nanos();
            for (Bench.Out o : bench.out) {
                bytes += o.packet().content().readableBytes();
                double allowed = burst + rate * ((o.nanos() - first) / 1e9);
                assertTrue(bytes <= allowed + 1e-6, "at " + o.nanos() + " ns: " + bytes + " > " + allowed);
            }
            double seconds = (bench.out.get(bench.out.size() - 1).nanos() - first) / 1e9;
            double measured = (bytes - burst) / seconds;
            assertEquals(rate, measured, rate * 0.01, "rate after the first burst");
            assertEquals(n, bench.out.size() + limit.packetsDropped(), "each packet sent or dropped");
            assertTrue(limit.packetsDropped() > n / 2, "most of a 6x overload is dropped");
            assertEquals(
                    java.util.stream.IntStream.range(0, n)
                            .boxed()
                            .filter(s -> bench.seqs().contains(s))
                            .toList(),
                    bench.seqs(),
                    "order kept");
        }
    }

    @Test
    void trafficUnderTheRatePassesAtOnce() {
        RateLimitHandler limit =
                RateLimitHandler.builder(1_000_000, 1500).seed(12).build();
        try (Bench bench = new Bench(limit)) {
            for (int i = 0; i < 500; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i, 9000, 500)); // 528 KB/s
            }
            assertEquals(500, bench.out.size());
            for (Bench.Out o : bench.out) {
                assertEquals(o.seq() * Bench.ms(1), o.nanos());
            }
        }
    }

    @Test
    void aPacketLargerThanTheBucketWaitsForAFullBucketAndIsNotLost() {
        RateLimitHandler limit = RateLimitHandler.builder(10_000, 1000)
                .queueLimit(100_000)
                .seed(13)
                .build();
        try (Bench bench = new Bench(limit)) {
            bench.readAt(0, Bench.udp(0, 9000, 1972)); // 2000 bytes: goes at once, bucket owes 1000
            bench.readAt(0, Bench.udp(1, 9000, 72)); // 100 bytes: waits for 1100 bytes of tokens
            bench.drain();
            assertEquals(2, bench.out.size());
            assertEquals(0, bench.out.get(0).nanos());
            assertEquals(Bench.ms(110), bench.out.get(1).nanos());
        }
    }

    @Test
    void badRatesAreRefused() {
        assertEquals(
                "rate 0 bytes/s is not positive",
                assertThrows(IllegalArgumentException.class, () -> RateLimitHandler.builder(0, 1500))
                        .getMessage());
        assertEquals(
                "queue limit -1 bytes is negative",
                assertThrows(IllegalArgumentException.class, () -> RateLimitHandler.builder(1, 1500)
                                .queueLimit(-1))
                        .getMessage());
    }

    @Test
    void corruptionFlipsOneBitOfThePayloadInTheFractionP() {
        int n = 20_000;
        CorruptHandler corrupt = CorruptHandler.probability(0.1).seed(14).build();
        int corrupted = 0;
        try (Bench bench = new Bench(corrupt)) {
            for (int i = 0; i < n; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i));
            }
            assertEquals(n, bench.out.size());
            for (int seq = 0; seq < n; seq++) {
                Bench.Out o = bench.out.get(seq); // nothing is lost or reordered: the index is the sequence number
                int bits = 0;
                DivertPacket pristine = Bench.udp(seq);
                ByteBuf a = pristine.content();
                ByteBuf b = o.packet().content();
                for (int j = 0; j < a.readableBytes(); j++) {
                    int diff = (a.getByte(j) ^ b.getByte(j)) & 0xFF;
                    if (diff != 0) {
                        assertTrue(j >= 28, "only the payload changes, not byte " + j);
                        bits += Integer.bitCount(diff);
                    }
                }
                pristine.release();
                assertTrue(bits <= 1, "at most one bit flipped");
                corrupted += bits;
                if (bits == 1) {
                    assertFalse(IpPacket.decode(o.packet()).verifyChecksums(), "the UDP checksum is left wrong");
                }
            }
        }
        assertEquals(corrupted, corrupt.packetsCorrupted());
        // sigma = sqrt(0.1 * 0.9 / 20000) = 0.0021
        assertEquals(0.1, corrupted / (double) n, 0.009, "corruption rate");
    }

    @Test
    void fixedChecksumsLetTheDamageThrough() {
        CorruptHandler corrupt =
                CorruptHandler.probability(1).fixChecksums(true).seed(15).build();
        try (Bench bench = new Bench(corrupt)) {
            for (int i = 0; i < 1000; i++) {
                DivertPacket packet = Bench.udp(i);
                assertTrue(IpPacket.decode(packet).verifyChecksums(), "the bench's packets are sound");
                bench.readAt(i * Bench.ms(1), packet);
            }
            assertEquals(1000, corrupt.packetsCorrupted());
            for (Bench.Out o : bench.out) {
                assertTrue(IpPacket.decode(o.packet()).verifyChecksums(), "checksum computed again");
            }
        }
    }

    @Test
    void wholePacketScopeReachesTheHeaders() {
        CorruptHandler corrupt = CorruptHandler.probability(1)
                .scope(CorruptHandler.Scope.WHOLE_PACKET)
                .seed(16)
                .build();
        int inHeaders = 0;
        try (Bench bench = new Bench(corrupt)) {
            for (int i = 0; i < 2000; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i, 9000, 4));
            }
            for (Bench.Out o : bench.out) {
                DivertPacket pristine = Bench.udp(0, 9000, 4);
                for (int j = 0; j < 28; j++) {
                    if (pristine.content().getByte(j) != o.packet().content().getByte(j)
                            && j != 4
                            && j != 5
                            && j != 26
                            && j != 27) {
                        inHeaders++;
                    }
                }
                pristine.release();
            }
        }
        // 32 bytes, 28 of them headers (less the id and checksum that differ anyway): most flips hit them.
        assertTrue(inHeaders > 1000, "flips in the headers: " + inHeaders);
    }
}
