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

import java.util.Arrays;

/**
 * The NFQUEUE packets this channel has read and not yet given a verdict, so that each gets
 * exactly one. Packet ids grow by one per queued packet (with gaps where the kernel could not
 * deliver), so a packet's place is its id modulo a power-of-two capacity, and a ring of ids in
 * arrival order finds the oldest for the verdict timeout. Nothing is allocated after
 * construction. Event loop thread only.
 *
 * <p>Bounded: the kernel holds at most QUEUE_MAXLEN unanswered packets and the capacity is at
 * least twice that, so a place is taken only by a packet held while {@code capacity} newer
 * ones went by; {@link #add} then hands that old packet back to be dropped.
 */
public final class VerdictTable {
    static final long NONE = -1;

    private final int mask;
    private final long[] ids;
    private final long[] arrivals;
    private final long[] order;
    private int head;
    private int tail;
    private int size;

    VerdictTable(int queueMaxlen) {
        int capacity = Integer.highestOneBit(Math.max(queueMaxlen, 32) * 2 - 1) << 1;
        mask = capacity - 1;
        ids = new long[capacity];
        arrivals = new long[capacity];
        order = new long[capacity];
        Arrays.fill(ids, NONE);
    }

    int size() {
        return size;
    }

    int capacity() {
        return ids.length;
    }

    /**
     * Records packet {@code id} read at {@code nanos}. Returns the id of an older packet that
     * had to make room and must now be dropped, or {@link #NONE}.
     */
    long add(long id, long nanos) {
        long evicted = NONE;
        int slot = (int) id & mask;
        if (ids[slot] != NONE) {
            evicted = ids[slot];
            remove(evicted);
        }
        if (tail - head == order.length) {
            // At most capacity - 1 packets wait now, so answered ones hold a place: free it.
            compactOrder();
        }
        ids[slot] = id;
        arrivals[slot] = nanos;
        order[tail++ & mask] = id;
        size++;
        return evicted;
    }

    boolean contains(long id) {
        return ids[(int) id & mask] == id;
    }

    /** Forgets {@code id}; returns whether it was waiting for a verdict. */
    boolean remove(long id) {
        int slot = (int) id & mask;
        if (ids[slot] != id) {
            return false;
        }
        ids[slot] = NONE;
        size--;
        return true;
    }

    /**
     * Removes and returns the oldest packet that has waited since before {@code deadlineNanos},
     * or {@link #NONE}. Call until it returns NONE.
     */
    long expireOne(long deadlineNanos) {
        while (head != tail) {
            long id = order[head & mask];
            int slot = (int) id & mask;
            if (ids[slot] != id) {
                head++; // answered already
                continue;
            }
            if (arrivals[slot] - deadlineNanos > 0) {
                return NONE;
            }
            head++;
            remove(id);
            return id;
        }
        return NONE;
    }

    /**
     * Whether {@code ids[0..count)} are, in this order, the {@code count} oldest packets waiting.
     * Answered packets at the front of the arrival order are forgotten on the way, so that a
     * caller asking after every batch walks each answered id once.
     */
    boolean areOldest(long[] ids, int count) {
        while (head != tail && !contains(order[head & mask])) {
            head++;
        }
        int at = head;
        for (int i = 0; i < count; i++) {
            while (at != tail && !contains(order[at & mask])) {
                at++;
            }
            if (at == tail || order[at & mask] != ids[i]) {
                return false;
            }
            at++;
        }
        return true;
    }

    /** Drops answered packets from the arrival order, keeping the order of the others. */
    private void compactOrder() {
        int kept = head;
        for (int i = head; i != tail; i++) {
            long id = order[i & mask];
            if (contains(id)) {
                order[kept++ & mask] = id;
            }
        }
        tail = kept;
    }

    /** Forgets everything (the kernel drops a closed queue's packets itself). */
    void clear() {
        Arrays.fill(ids, NONE);
        head = tail = size = 0;
    }
}
