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
package org.nettydivert.transport.spi;

import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertPacket;
import org.nettydivert.transport.DivertStats;
import org.nettydivert.transport.bsd.BsdDivertSocket;
import org.nettydivert.transport.nfqueue.KernelQueueCounters;
import org.nettydivert.transport.nfqueue.NfqueueSocket;

/**
 * The kernel side of a {@link DivertChannel}: the descriptors that packets are read from and
 * written to, one implementation per kind of kernel ({@link NfqueueSocket} on Linux, {@link
 * BsdDivertSocket} on FreeBSD and OpenBSD). The channel owns everything else: the event loop,
 * the read loop, the outbound buffer and the promises. Event loop thread only.
 */
public abstract class DivertSocket {
    /** Returned by {@link #read} when the descriptor has nothing more to give now. */
    public static final int WOULD_BLOCK = -1;

    /**
     * The descriptors to watch. The first is the one packets are read from; others are read
     * (OpenBSD's second address family) or written (Linux's injection sockets) as well.
     */
    public abstract int[] fds();

    /** Whether the channel should watch {@code fd} for readability while it reads. */
    public abstract boolean isReadable(int fd);

    /**
     * Reads up to {@code out.length} packets from {@code fd} into {@code out}, in order, and
     * returns how many, or {@link #WOULD_BLOCK}. May return 0 when what it read held no packet.
     */
    public abstract int read(int fd, ByteBufAllocator allocator, DivertPacket[] out) throws IOException;

    /**
     * Sends {@code packets[0..count)} in that order. For each packet handled, {@code failures[i]}
     * is left null when it was sent, or set to why it was refused; the packets after a refused
     * one are still tried. Returns the number handled: less than {@code count} when the kernel
     * would block, in which case {@link #blockedFd()} says on which descriptor.
     */
    public abstract int write(DivertPacket[] packets, int count, Throwable[] failures) throws IOException;

    /** The descriptor that made the last {@link #write} stop early. */
    public abstract int blockedFd();

    /**
     * Sends the verdicts the socket owes of its own accord (Linux: NF_DROP for released and
     * expired packets, NF_REPEAT for ones it could not take); returns false when the kernel would
     * block on {@link #blockedFd()}. Called after each read loop and each write.
     */
    public boolean flushPendingVerdicts() throws IOException {
        return true;
    }

    /** Packets dropped because the pipeline released them unwritten (Linux; the BSDs need no word for it). */
    public long releaseDrops() {
        return 0;
    }

    /** Packets dropped because they were held longer than the verdict timeout (Linux). */
    public long timeoutDrops() {
        return 0;
    }

    /**
     * Read packets written back unchanged, so without their bytes: the kernel's copy goes on
     * (Linux; {@link DivertStats#packetsReinjectedUnchanged()}).
     */
    public long reinjectedUnchanged() {
        return 0;
    }

    /** Times the kernel reported that packets were lost because the socket's buffer was full. */
    public long overflows() {
        return 0;
    }

    /** Packets read truncated, the kernel having copied only their first bytes (Linux). */
    public long packetsTruncated() {
        return 0;
    }

    /** The kernel's own counters for the queue, or null where the kernel keeps none (the BSDs). */
    public KernelQueueCounters kernelCounters() {
        return null;
    }

    /** Closes every descriptor. Idempotent. */
    public abstract void close();
}
