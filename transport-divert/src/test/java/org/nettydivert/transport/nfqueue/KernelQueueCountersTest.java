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
package org.nettydivert.transport.nfqueue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Parsing {@code /proc/net/netfilter/nfnetlink_queue}; the kernel tests read the real one. */
class KernelQueueCountersTest {
    // Two queues as the kernel prints them ("%5u %6u %5u %1u %5u %5u %5u %8u %2d").
    private static final String FILE = "    7   6447     3 2  1234    17     5        3  1\n"
            + "   70 4294967295     0 2 65531 4294967295     0 4294967295  1\n";

    @Test
    void theDropCountersOfTheQueueAreColumnsSixAndSeven() {
        assertArrayEquals(new long[] {17, 5}, KernelQueueCounters.parse(FILE, 7));
        assertArrayEquals(new long[] {4294967295L, 0}, KernelQueueCounters.parse(FILE, 70));
    }

    @Test
    void aQueueNotInTheFileHasNoCounters() {
        assertNull(KernelQueueCounters.parse(FILE, 8));
        assertNull(KernelQueueCounters.parse("", 7));
    }

    @Test
    void aLineOfAnotherShapeIsNotRead() {
        assertNull(KernelQueueCounters.parse("    7   6447     3 2  1234    17     5        3\n", 7));
        assertNull(KernelQueueCounters.parse("    7   6447     3 2  1234    x     5        3  1\n", 7));
    }
}
