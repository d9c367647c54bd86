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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Loss against netem's models (tc-netem(8), sch_netem.c), by their formulas: netem itself is not in
 * this machine's kernel ("Specified qdisc kind is unknown"). Seeded, so each bound is checked on a
 * fixed sample; the tolerances are about four standard deviations of the sample's estimate.
 */
@ExtendWith(LeakCheck.class)
class LossHandlerTest {
    @Test
    void randomLossLosesEachPacketWithItsProbability() {
        int n = 20_000;
        LossHandler loss = LossHandler.random(0.1).seed(1).build();
        try (Bench bench = new Bench(loss)) {
            for (int i = 0; i < n; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i));
            }
            double measured = 1 - bench.out.size() / (double) n;
            // sigma = sqrt(0.1 * 0.9 / 20000) = 0.0021
            assertEquals(0.1, measured, 0.009, "loss rate");
            assertEquals(n - bench.out.size(), loss.packetsDropped());
            assertEquals(n, loss.packetsSelected());
            for (var p : bench.in) {
                if (bench.out.stream().noneMatch(o -> o.packet() == p)) {
                    assertEquals(0, p.refCnt(), "a lost packet is released");
                }
            }
        }
    }

    @Test
    void gilbertElliottMeanLossIsTheModelsMean() {
        // p = 5 %, r = 30 %, 1-h = 80 %, 1-k = 1 %: mean = 0.05/0.35*0.8 + 0.3/0.35*0.01 = 0.1229
        int n = 100_000;
        LossHandler loss =
                LossHandler.gilbertElliott(0.05, 0.3, 0.8, 0.01).seed(2).build();
        assertEquals(0.12286, loss.meanLoss(), 1e-4);
        double measured = lossRate(loss, n);
        // Bursts make the estimate noisier than Bernoulli's: about 0.0025 here; allow 0.01.
        assertEquals(loss.meanLoss(), measured, 0.01, "Gilbert-Elliott mean loss");
    }

    @Test
    void simpleGilbertBurstsLastOneOverRPackets() {
        // 1-h = 1, 1-k = 0: every packet in bad is lost, none in good; a burst is a stay in bad.
        int n = 200_000;
        double p = 0.02;
        double r = 0.25;
        LossHandler loss = LossHandler.gilbertElliott(p, r, 1, 0).seed(3).build();
        boolean[] lost = lossPattern(loss, n);
        int bursts = 0;
        int lostPackets = 0;
        for (int i = 0; i < n; i++) {
            if (lost[i]) {
                lostPackets++;
                if (i == 0 || !lost[i - 1]) {
                    bursts++;
                }
            }
        }
        double meanBurst = lostPackets / (double) bursts;
        assertEquals(1 / r, meanBurst, 0.2, "mean burst length (1/r = 4)");
        assertEquals(p / (p + r), lostPackets / (double) n, 0.006, "loss rate p/(p+r) = 0.074");
    }

    @Test
    void sameSeedSameLosses() {
        boolean[] a = lossPattern(
                LossHandler.gilbertElliott(0.1, 0.4, 0.9, 0.05).seed(42).build(), 2000);
        boolean[] b = lossPattern(
                LossHandler.gilbertElliott(0.1, 0.4, 0.9, 0.05).seed(42).build(), 2000);
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
    }

    @Test
    void probabilitiesOutsideZeroToOneAreRefused() {
        assertEquals(
                "loss probability 1.5 is outside 0..1",
                assertThrows(IllegalArgumentException.class, () -> LossHandler.random(1.5))
                        .getMessage());
        assertEquals(
                "loss probability NaN is outside 0..1",
                assertThrows(IllegalArgumentException.class, () -> LossHandler.random(Double.NaN))
                        .getMessage());
        assertEquals(
                "Gilbert-Elliott r (bad to good) -0.1 is outside 0..1",
                assertThrows(IllegalArgumentException.class, () -> LossHandler.gilbertElliott(0.1, -0.1, 1, 0))
                        .getMessage());
    }

    private static double lossRate(LossHandler loss, int n) {
        boolean[] lost = lossPattern(loss, n);
        int count = 0;
        for (boolean l : lost) {
            count += l ? 1 : 0;
        }
        return count / (double) n;
    }

    /** Which of {@code n} packets, read one per millisecond, the handler lost. */
    static boolean[] lossPattern(LossHandler loss, int n) {
        boolean[] lost = new boolean[n];
        java.util.Arrays.fill(lost, true);
        try (Bench bench = new Bench(loss)) {
            for (int i = 0; i < n; i++) {
                bench.readAt(i * Bench.ms(1), Bench.udp(i));
            }
            for (Bench.Out o : bench.out) {
                lost[o.seq()] = false;
            }
        }
        return lost;
    }
}
