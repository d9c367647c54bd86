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
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VerdictTableTest {
    @Test
    void answeredPacketsNeverCostAWaitingOneItsPlace() {
        VerdictTable table = new VerdictTable(32);
        // A steady flow, each packet answered right after the next one is read, with no expiry
        // run in between: the arrival ring fills with answered ids again and again.
        assertEquals(VerdictTable.NONE, table.add(0, 0));
        for (long id = 1; id < 100 * table.capacity(); id++) {
            assertEquals(VerdictTable.NONE, table.add(id, id), "reading packet " + id + " evicted one");
            assertTrue(table.remove(id - 1));
        }
        assertEquals(1, table.size());
    }

    @Test
    void aFullTableEvictsTheOldestWaitingPacket() {
        VerdictTable table = new VerdictTable(32);
        int capacity = table.capacity();
        for (long id = 0; id < capacity; id++) {
            assertEquals(VerdictTable.NONE, table.add(id, id));
        }
        assertEquals(0, table.add(capacity, capacity));
        assertFalse(table.contains(0));
        assertTrue(table.contains(1));
        assertTrue(table.contains(capacity));
    }

    @Test
    void expiryFollowsArrivalOrderAfterCompaction() {
        VerdictTable table = new VerdictTable(32);
        long last = 10L * table.capacity();
        table.add(0, 0);
        table.add(1, 1);
        for (long id = 2; id <= last; id++) {
            table.add(id, id);
            table.remove(id - 2);
        }
        assertEquals(last - 1, table.expireOne(last + 1));
        assertEquals(last, table.expireOne(last + 1));
        assertEquals(VerdictTable.NONE, table.expireOne(last + 1));
        assertEquals(0, table.size());
    }
}
