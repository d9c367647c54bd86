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

/**
 * A snapshot of a {@link DivertChannel}'s counters, from {@link DivertChannel#stats()}. Every
 * count is since the channel was bound.
 */
public final class DivertStats {
    private final long packetsRead;
    private final long packetsReinjected;
    private final long packetsReinjectedUnchanged;
    private final long packetsInjected;
    private final long writesFailed;
    private final long releaseDrops;
    private final long timeoutDrops;
    private final long overflows;

    DivertStats(
            long packetsRead,
            long packetsReinjected,
            long packetsReinjectedUnchanged,
            long packetsInjected,
            long writesFailed,
            long releaseDrops,
            long timeoutDrops,
            long overflows) {
        this.packetsRead = packetsRead;
        this.packetsReinjected = packetsReinjected;
        this.packetsReinjectedUnchanged = packetsReinjectedUnchanged;
        this.packetsInjected = packetsInjected;
        this.writesFailed = writesFailed;
        this.releaseDrops = releaseDrops;
        this.timeoutDrops = timeoutDrops;
        this.overflows = overflows;
    }

    /** Packets read from the kernel. */
    public long packetsRead() {
        return packetsRead;
    }

    /** Read packets written back (Linux: NF_ACCEPT verdicts). */
    public long packetsReinjected() {
        return packetsReinjected;
    }

    /**
     * Linux: of the packets reinjected, those written back with their bytes as read (not written
     * to, not trimmed). Their verdicts carry no payload: the kernel passes its own copy on.
     */
    public long packetsReinjectedUnchanged() {
        return packetsReinjectedUnchanged;
    }

    /** New packets written with an injection address. */
    public long packetsInjected() {
        return packetsInjected;
    }

    /** Writes that failed their promise. */
    public long writesFailed() {
        return writesFailed;
    }

    /** Linux: packets the pipeline released without writing, dropped with NF_DROP. */
    public long releaseDrops() {
        return releaseDrops;
    }

    /** Linux: packets dropped because the pipeline held them longer than the verdict timeout. */
    public long timeoutDrops() {
        return timeoutDrops;
    }

    /**
     * Times the kernel said packets were lost because the socket could not keep up (Linux:
     * ENOBUFS on the netlink socket; the kernel's per-queue drop counts are in
     * {@code /proc/net/netfilter/nfnetlink_queue}).
     */
    public long overflows() {
        return overflows;
    }

    @Override
    public String toString() {
        return "DivertStats(read " + packetsRead + ", reinjected " + packetsReinjected + " (unchanged "
                + packetsReinjectedUnchanged + "), injected "
                + packetsInjected + ", write failures " + writesFailed + ", release drops " + releaseDrops
                + ", timeout drops " + timeoutDrops + ", overflows " + overflows + ")";
    }
}
