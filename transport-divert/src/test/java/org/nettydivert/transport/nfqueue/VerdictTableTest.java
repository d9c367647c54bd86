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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VerdictTableTest {
    private static final long NONE = VerdictTable.NONE;

    @Test
    void addedIdsAreContainedUntilRemoved() {
        VerdictTable table = new VerdictTable(64);

        assertEquals(NONE, table.add(7, 100));
        assertEquals(NONE, table.add(8, 101));

        assertTrue(table.contains(7));
        assertTrue(table.contains(8));
        assertFalse(table.contains(9));
        assertEquals(2, table.size());
        assertTrue(table.remove(7));
        assertFalse(table.contains(7));
        assertTrue(table.contains(8));
        assertEquals(1, table.size());
    }

    @Test
    void removingAnIdNotWaitingReturnsFalse() {
        VerdictTable table = new VerdictTable(64);
        table.add(1, 0);

        assertFalse(table.remove(2));
        assertTrue(table.remove(1));
        assertFalse(table.remove(1), "a second verdict for the same packet");
        assertEquals(0, table.size());
    }

    @Test
    void anIdSharingASlotWithAWaitingOneIsNotContained() {
        VerdictTable table = new VerdictTable(64);
        table.add(3, 0);

        assertFalse(table.contains(3 + table.capacity()));
        assertFalse(table.remove(3 + table.capacity()));
        assertTrue(table.contains(3));
    }

    @Test
    void capacityIsThePowerOfTwoAtLeastTwiceTheQueueLength() {
        for (int maxlen : new int[] {1, 31, 32, 33, 100, 1000, 1024, 1025, 4096, 65535}) {
            int capacity = new VerdictTable(maxlen).capacity();

            assertEquals(1, Integer.bitCount(capacity), maxlen + " -> " + capacity);
            assertTrue(capacity >= 2 * maxlen, maxlen + " -> " + capacity);
            assertTrue(
                    capacity / 2 < 2 * Math.max(maxlen, 32), "the smallest such power: " + maxlen + " -> " + capacity);
        }
    }

    @Test
    void aFullTableEvictsTheOldestWaitingPacket() {
        VerdictTable table = new VerdictTable(32);
        int capacity = table.capacity();
        for (long id = 0; id < capacity; id++) {
            assertEquals(NONE, table.add(id, id));
        }

        assertEquals(0, table.add(capacity, capacity));
        assertFalse(table.contains(0));
        assertTrue(table.contains(capacity));
        assertEquals(1, table.add(capacity + 1, capacity + 1));
        assertEquals(capacity, table.size());
    }

    @Test
    void anIdLandingOnAWaitingPacketsSlotEvictsThatPacket() {
        VerdictTable table = new VerdictTable(32);
        int capacity = table.capacity();
        table.add(5, 0);

        // A gap in the ids: the kernel skipped capacity ids (packets it could not deliver).
        assertEquals(5, table.add(5 + capacity, 1));
        assertFalse(table.contains(5));
        assertTrue(table.contains(5 + capacity));
        assertEquals(1, table.size());
    }

    @Test
    void answeredPacketsFillingTheArrivalOrderEvictNoWaitingPacket() {
        VerdictTable table = new VerdictTable(32);
        int capacity = table.capacity();
        // Packets answered as fast as they come, as in steady traffic: only the newest waits.
        for (long id = 0; id < capacity; id++) {
            table.add(id, id);
            if (id < capacity - 1) {
                table.remove(id);
            }
        }

        // The table holds one packet, so the next must not push it out.
        assertEquals(NONE, table.add(capacity, capacity));
        assertTrue(table.contains(capacity - 1));
        assertTrue(table.contains(capacity));
    }

    @Test
    void aFullArrivalOrderAndASlotCollisionTogetherLoseNoWaitingPacket() {
        VerdictTable table = new VerdictTable(32);
        int capacity = table.capacity();
        table.add(0, 0);
        table.add(1, 1);
        for (long id = 2; id < capacity; id++) {
            table.add(id, id);
            table.remove(id);
        }

        // The kernel skipped id `capacity`; the next lands on packet 1's slot.
        long evicted = table.add(capacity + 1, capacity + 1);

        // Each waiting packet is either still waiting or handed back to be dropped.
        for (long id : new long[] {0, 1}) {
            assertTrue(table.contains(id) || evicted == id, "packet " + id + " vanished without a verdict");
        }
        assertTrue(table.contains(capacity + 1));
        assertEquals(2, table.size());
    }

    @Test
    void idsWithGapsAreTrackedAndRemovedIndividually() {
        VerdictTable table = new VerdictTable(32);
        long[] ids = {10, 11, 15, 40, 41, 60, 70};
        for (long id : ids) {
            assertEquals(NONE, table.add(id, 0));
        }

        for (long id : ids) {
            assertTrue(table.contains(id), "id " + id);
        }
        for (long id : new long[] {12, 13, 14, 16, 42, 99}) {
            assertFalse(table.contains(id), "id " + id);
        }
        assertTrue(table.remove(40));
        assertTrue(table.contains(41));
        assertEquals(ids.length - 1, table.size());
    }

    @Test
    void idsAbove32BitsOfIntAreTracked() {
        VerdictTable table = new VerdictTable(32);
        long id = 0xFFFF_FFF0L; // packet ids are unsigned 32-bit

        table.add(id, 0);

        assertTrue(table.contains(id));
        assertTrue(table.remove(id));
    }

    @Test
    void expireOneReturnsPacketsOlderThanTheDeadlineInArrivalOrder() {
        VerdictTable table = new VerdictTable(32);
        table.add(1, 100);
        table.add(2, 200);
        table.add(3, 300);
        table.add(4, 400);

        List<Long> expired = drain(table, 300);

        assertEquals(List.of(1L, 2L, 3L), expired);
        assertFalse(table.contains(1));
        assertTrue(table.contains(4));
        assertEquals(1, table.size());
    }

    @Test
    void expireOneReturnsNoneWhenNothingIsOlderThanTheDeadline() {
        VerdictTable table = new VerdictTable(32);
        table.add(1, 100);

        assertEquals(NONE, table.expireOne(99));
        assertTrue(table.contains(1));
    }

    @Test
    void expireOneSkipsAnsweredPackets() {
        VerdictTable table = new VerdictTable(32);
        table.add(1, 100);
        table.add(2, 200);
        table.add(3, 300);
        table.remove(1);
        table.remove(3);

        assertEquals(List.of(2L), drain(table, 1000));
        assertEquals(0, table.size());
    }

    @Test
    void expireOneOrdersByArrivalAcrossNanoTimeWraparound() {
        VerdictTable table = new VerdictTable(32);
        table.add(1, Long.MAX_VALUE - 10);
        table.add(2, Long.MIN_VALUE + 10); // 21 ns later

        assertEquals(List.of(1L), drain(table, Long.MAX_VALUE));
        assertEquals(List.of(2L), drain(table, Long.MIN_VALUE + 10));
    }

    @Test
    void clearForgetsEverything() {
        VerdictTable table = new VerdictTable(32);
        table.add(1, 0);
        table.add(2, 0);

        table.clear();

        assertEquals(0, table.size());
        assertFalse(table.contains(1));
        assertEquals(NONE, table.expireOne(Long.MAX_VALUE));
        assertEquals(NONE, table.add(3, 0));
    }

    @Test
    void everyPacketAddedLeavesExactlyOnceThroughRemoveExpiryOrEviction() {
        VerdictTable table = new VerdictTable(32);
        Random random = new Random(42);
        // Packets waiting, in arrival order, as the table should see them.
        LinkedHashMap<Long, Long> waiting = new LinkedHashMap<>();
        long nextId = 0;
        long now = 0;
        for (int step = 0; step < 200_000; step++) {
            now += random.nextInt(3);
            int op = random.nextInt(10);
            if (op < 5) {
                nextId += random.nextInt(20) == 0 ? 1 + random.nextInt(200) : 1; // sometimes a gap
                long evicted = table.add(nextId, now);
                if (evicted != NONE) {
                    assertTrue(waiting.remove(evicted) != null, "evicted " + evicted + ", which was not waiting");
                }
                waiting.put(nextId, now);
            } else if (op < 9 && !waiting.isEmpty()) {
                // Answer a random waiting packet, mostly a recent one.
                List<Long> ids = new ArrayList<>(waiting.keySet());
                long id = ids.get(Math.max(0, ids.size() - 1 - random.nextInt(Math.min(ids.size(), 8))));
                assertTrue(table.remove(id), "packet " + id + " vanished");
                waiting.remove(id);
            } else {
                long deadline = now - 50;
                for (long id; (id = table.expireOne(deadline)) != NONE; ) {
                    Long arrival = waiting.remove(id);
                    assertTrue(arrival != null && arrival <= deadline, "expired " + id + " arrived at " + arrival);
                }
                for (long arrival : waiting.values()) {
                    assertTrue(arrival > deadline, "a packet older than the deadline was not expired");
                }
            }
            assertEquals(waiting.size(), table.size(), "step " + step);
        }
        for (long id : waiting.keySet()) {
            assertTrue(table.contains(id), "packet " + id + " vanished");
        }
    }

    private static List<Long> drain(VerdictTable table, long deadline) {
        List<Long> ids = new ArrayList<>();
        for (long id; (id = table.expireOne(deadline)) != NONE; ) {
            ids.add(id);
        }
        return ids;
    }

    @Test
    void areOldestHoldsForTheWaitingPacketsInArrivalOrderOnly() {
        VerdictTable table = new VerdictTable(64);
        for (long id = 10; id < 20; id++) {
            table.add(id, 0);
        }
        assertTrue(table.areOldest(new long[] {10, 11, 12}, 3));
        assertTrue(table.areOldest(new long[] {10}, 1));
        assertFalse(table.areOldest(new long[] {11, 12}, 2), "10 is older and waits");
        assertFalse(table.areOldest(new long[] {11, 10}, 2), "not in arrival order");
        table.remove(10);
        table.remove(12);
        assertTrue(table.areOldest(new long[] {11, 13, 14}, 3), "answered ones are skipped");
        assertFalse(table.areOldest(new long[] {11, 12}, 2), "12 was answered");
        for (long id = 11; id < 20; id++) {
            table.remove(id);
        }
        assertFalse(table.areOldest(new long[] {20}, 1), "nothing waits");
        table.add(20, 0);
        assertTrue(table.areOldest(new long[] {20}, 1));
    }

    @Test
    void areOldestMatchesAModelOverManyRandomBatches() {
        // The model: a list of waiting ids in arrival order. Batches are sometimes the oldest
        // waiting packets, sometimes not; the table must agree with the model every time.
        VerdictTable table = new VerdictTable(128);
        List<Long> waiting = new ArrayList<>();
        Random random = new Random(11);
        long next = 0;
        for (int round = 0; round < 20_000; round++) {
            int arrivals = random.nextInt(8);
            // Ids stay within the capacity (256) of the oldest waiting one: no slot collisions.
            for (int i = 0; i < arrivals && (waiting.isEmpty() || next + 2 - waiting.get(0) < 256); i++) {
                next += 1 + (random.nextInt(10) == 0 ? 1 : 0);
                table.add(next, 0);
                waiting.add(next);
            }
            if (waiting.isEmpty()) {
                continue;
            }
            int n = 1 + random.nextInt(Math.min(6, waiting.size()));
            int from = random.nextInt(3) == 0 ? random.nextInt(waiting.size() - n + 1) : 0;
            long[] batch = new long[n];
            for (int i = 0; i < n; i++) {
                batch[i] = waiting.get(from + i);
            }
            if (random.nextInt(10) == 0 && n > 1) {
                long t = batch[0];
                batch[0] = batch[1];
                batch[1] = t;
            }
            boolean expected = true;
            for (int i = 0; i < n; i++) {
                expected &= batch[i] == waiting.get(i);
            }
            assertEquals(expected, table.areOldest(batch, n), "round " + round);
            for (long id : batch) {
                assertTrue(table.remove(id));
                waiting.remove(id);
            }
        }
    }
}
