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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delay against netem's {@code delay D J} (uniform in [D-J, D+J], or normal with {@code
 * distribution normal}), by the distributions' moments; netem itself is not in this machine's
 * kernel. Times are the virtual clock's, so they are exact.
 */
@ExtendWith(LeakCheck.class)
class DelayHandlerTest {
    @Test
    void uniformDelaysStayWithinDPlusMinusJWithTheirMeanAndSpread() {
        int n = 10_000;
        DelayHandler delay = DelayHandler.builder()
                .delay(Duration.ofMillis(20))
                .jitter(Duration.ofMillis(5))
                .seed(4)
                .build();
        double[] delays = delays(delay, n, Bench.ms(1));
        Stats s = Stats.of(delays);
        assertTrue(s.min >= 15.0 && s.max <= 25.0, "min " + s.min + " max " + s.max + " within [15, 25] ms");
        assertTrue(s.min < 15.1 && s.max > 24.9, "the whole range is used");
        // Uniform: sd = J / sqrt(3) = 2.887 ms; the mean's sd over 10000 is 0.029 ms.
        assertEquals(20.0, s.mean, 0.12, "mean delay");
        assertEquals(5 / Math.sqrt(3), s.sd, 0.1, "delay standard deviation");
    }

    @Test
    void normalDelaysHaveMeanDAndStandardDeviationJ() {
        int n = 10_000;
        DelayHandler delay = DelayHandler.builder()
                .delay(Duration.ofMillis(50))
                .jitter(Duration.ofMillis(5))
                .distribution(DelayHandler.Distribution.NORMAL)
                .seed(5)
                .build();
        Stats s = Stats.of(delays(delay, n, Bench.ms(1)));
        assertEquals(50.0, s.mean, 0.2, "mean delay");
        assertEquals(5.0, s.sd, 0.2, "delay standard deviation");
    }

    @Test
    void jitterLargerThanTheGapReordersAsNetemDoes() {
        DelayHandler delay = DelayHandler.builder()
                .delay(Duration.ofMillis(20))
                .jitter(Duration.ofMillis(5))
                .seed(6)
                .build();
        try (Bench bench = new Bench(delay)) {
            for (int i = 0; i < 1000; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i));
            }
            bench.drain();
            assertTrue(outOfOrder(bench.seqs()) > 100, "packets 1 ms apart with 5 ms of jitter overtake each other");
        }
    }

    @Test
    void keepOrderNeverReorders() {
        DelayHandler delay = DelayHandler.builder()
                .delay(Duration.ofMillis(20))
                .jitter(Duration.ofMillis(5))
                .keepOrder(true)
                .seed(6)
                .build();
        try (Bench bench = new Bench(delay)) {
            for (int i = 0; i < 1000; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i));
            }
            bench.drain();
            assertEquals(1000, bench.out.size());
            assertEquals(0, outOfOrder(bench.seqs()));
            for (Bench.Out o : bench.out) {
                assertTrue(o.nanos() - o.seq() * Bench.ms(1) >= Bench.ms(15), "no packet earlier than D-J");
            }
        }
    }

    @Test
    void delayedPacketsAreFollowedByAReadComplete() {
        DelayHandler delay =
                DelayHandler.builder().delay(Duration.ofMillis(10)).seed(7).build();
        try (Bench bench = new Bench(delay)) {
            bench.readAt(0, Bench.udp(0));
            bench.readAt(Bench.ms(1), Bench.udp(1));
            bench.advanceTo(Bench.ms(10));
            assertEquals(1, bench.out.size());
            assertEquals(0, bench.unflushed, "the writer was told to flush");
            assertEquals(1, delay.packetsHeld());
            bench.drain();
            assertEquals(List.of(0, 1), bench.seqs());
            assertEquals(Bench.ms(11), bench.out.get(1).nanos());
            assertEquals(0, bench.unflushed);
        }
    }

    @Test
    void badParametersAreRefused() {
        assertEquals(
                "delay PT-0.001S is negative",
                assertThrows(IllegalArgumentException.class, () -> DelayHandler.builder()
                                .delay(Duration.ofMillis(-1)))
                        .getMessage());
        assertEquals(
                "jitter PT48H is longer than a day",
                assertThrows(IllegalArgumentException.class, () -> DelayHandler.builder()
                                .jitter(Duration.ofDays(2)))
                        .getMessage());
    }

    /** The delay of each of {@code n} packets read {@code gap} apart, in milliseconds. */
    static double[] delays(DelayHandler delay, int n, long gap) {
        double[] delays = new double[n];
        try (Bench bench = new Bench(delay)) {
            for (int i = 0; i < n; i++) {
                bench.readAt(i * gap, Bench.udp(i));
            }
            bench.drain();
            assertEquals(n, bench.out.size());
            for (Bench.Out o : bench.out) {
                delays[o.seq()] = (o.nanos() - o.seq() * gap) / 1e6;
            }
        }
        return delays;
    }

    /** How many packets came after one with a higher sequence number. */
    static int outOfOrder(List<Integer> seqs) {
        int late = 0;
        int highest = -1;
        for (int seq : seqs) {
            if (seq < highest) {
                late++;
            }
            highest = Math.max(highest, seq);
        }
        return late;
    }

    /** Minimum, maximum, mean, standard deviation. */
    record Stats(double min, double max, double mean, double sd) {
        static Stats of(double[] xs) {
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            double sum = 0;
            for (double x : xs) {
                min = Math.min(min, x);
                max = Math.max(max, x);
                sum += x;
            }
            double mean = sum / xs.length;
            double squares = 0;
            for (double x : xs) {
                squares += (x - mean) * (x - mean);
            }
            return new Stats(min, max, mean, Math.sqrt(squares / (xs.length - 1)));
        }
    }
}
