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
 * The verdicts an NFQUEUE channel owes of its own accord, in the order they arose: NF_DROP for a
 * packet the pipeline released unwritten, one held past the verdict timeout or one that had to
 * make room in a full {@link VerdictTable}; NF_REPEAT for a packet it could not take. Kept in
 * parallel arrays that grow when needed, so that queuing one allocates nothing. Event loop
 * thread only.
 */
public final class PendingVerdicts {
    private long[] ids = new long[64];
    private int[] verdicts = new int[64];
    private boolean[] forced = new boolean[64];
    private int count;

    /**
     * Queues {@code verdict} for packet {@code id}. A {@code forced} one is owed whatever
     * happens meanwhile: its packet has already left the table (expired, evicted, or never
     * entered it). An unforced one is a drop of a released packet that is still in the table,
     * void if the packet is written before it goes out (its content was replaced).
     */
    void add(long id, int verdict, boolean forced) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
            verdicts = Arrays.copyOf(verdicts, count * 2);
            this.forced = Arrays.copyOf(this.forced, count * 2);
        }
        ids[count] = id;
        verdicts[count] = verdict;
        this.forced[count++] = forced;
    }

    int size() {
        return count;
    }

    long id(int i) {
        return ids[i];
    }

    int verdict(int i) {
        return verdicts[i];
    }

    boolean isForced(int i) {
        return forced[i];
    }

    /** Forgets the first {@code n}, which were sent (or found void). */
    void removeFirst(int n) {
        System.arraycopy(ids, n, ids, 0, count - n);
        System.arraycopy(verdicts, n, verdicts, 0, count - n);
        System.arraycopy(forced, n, forced, 0, count - n);
        count -= n;
    }

    void clear() {
        count = 0;
    }
}
