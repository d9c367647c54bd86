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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link PendingVerdicts}: order, the verdict and forced flag of each, growth, removal. */
class PendingVerdictsTest {
    @Test
    void verdictsKeepTheirOrderAndKindPastTheFirstCapacity() {
        PendingVerdicts pending = new PendingVerdicts();
        for (int i = 0; i < 200; i++) {
            pending.add(i, i % 3 == 0 ? LinuxAbi.NF_REPEAT : LinuxAbi.NF_DROP, i % 2 == 0);
        }
        assertEquals(200, pending.size());
        for (int i = 0; i < 200; i++) {
            assertEquals(i, pending.id(i));
            assertEquals(i % 3 == 0 ? LinuxAbi.NF_REPEAT : LinuxAbi.NF_DROP, pending.verdict(i));
            assertEquals(i % 2 == 0, pending.isForced(i));
        }
    }

    @Test
    void removingTheFirstShiftsTheRest() {
        PendingVerdicts pending = new PendingVerdicts();
        pending.add(10, LinuxAbi.NF_DROP, false);
        pending.add(11, LinuxAbi.NF_REPEAT, true);
        pending.add(12, LinuxAbi.NF_DROP, true);
        pending.removeFirst(2);
        assertEquals(1, pending.size());
        assertEquals(12, pending.id(0));
        assertTrue(pending.isForced(0));
        pending.removeFirst(1);
        assertEquals(0, pending.size());
    }

    @Test
    void clearForgetsEverything() {
        PendingVerdicts pending = new PendingVerdicts();
        pending.add(1, LinuxAbi.NF_DROP, false);
        pending.clear();
        assertEquals(0, pending.size());
        pending.add(2, LinuxAbi.NF_DROP, false);
        assertEquals(2, pending.id(0));
        assertFalse(pending.isForced(0));
    }
}
