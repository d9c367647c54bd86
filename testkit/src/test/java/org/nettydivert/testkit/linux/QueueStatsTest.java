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
package org.nettydivert.testkit.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of /proc/net/netfilter/nfnetlink_queue; no kernel needed. */
class QueueStatsTest {
    @Test
    void parsesTheKernelsColumnsInOrder() {
        // Printed by Linux 6.18 for queue 7 bound with copy mode PACKET, range 1234, after three
        // packets were queued and none answered.
        String line = "    7   6447     3 2  1234     0     0        3  1\n";

        assertEquals(List.of(new QueueStats(7, 6447, 3, 2, 1234, 0, 0, 3)), QueueStats.parseAll(line));
    }

    @Test
    void parsesSeveralQueuesAndUnsigned32BitCounters() {
        String content = "    0 4294967295     0 2 65531    17     5 4294967295  1\n"
                + "65535    101    12 1     0     0     0       12  1\n";

        List<QueueStats> all = QueueStats.parseAll(content);

        assertEquals(new QueueStats(0, 4294967295L, 0, 2, 65531, 17, 5, 4294967295L), all.get(0));
        assertEquals(new QueueStats(65535, 101, 12, 1, 0, 0, 0, 12), all.get(1));
    }

    @Test
    void emptyFileMeansNoQueueIsBound() {
        assertTrue(QueueStats.parseAll("").isEmpty());
    }

    @Test
    void rejectsALineWithAnotherNumberOfColumns() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> QueueStats.parseAll("7 6447 3 2 1234 0 0 3\n"));
        assertTrue(e.getMessage().contains("got 8"), e.getMessage());
    }
}
