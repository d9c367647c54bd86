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
 * count is since the channel was bound, and counts packets unless it says otherwise.
 *
 * <p>Where packets go: every packet read is, in the end, reinjected, dropped because the
 * pipeline released it ({@link #releaseDrops()}, of which {@link #packetsUnhandled()} are those
 * no handler took), dropped for being held too long ({@link #timeoutDrops()}), or still held by
 * the pipeline. Packets the kernel lost before the channel could read them are in {@link
 * #kernelQueueDrops()} and {@link #kernelSocketDrops()}.
 */
public final class DivertStats {
    private final long packetsRead;
    private final long packetsReinjected;
    private final long packetsReinjectedUnchanged;
    private final long packetsInjected;
    private final long writesFailed;
    private final long releaseDrops;
    private final long timeoutDrops;
    private final long packetsUnhandled;
    private final long packetsTruncated;
    private final long overflows;
    private final long kernelQueueDrops;
    private final long kernelSocketDrops;

    DivertStats(
            long packetsRead,
            long packetsReinjected,
            long packetsReinjectedUnchanged,
            long packetsInjected,
            long writesFailed,
            long releaseDrops,
            long timeoutDrops,
            long packetsUnhandled,
            long packetsTruncated,
            long overflows,
            long kernelQueueDrops,
            long kernelSocketDrops) {
        this.packetsRead = packetsRead;
        this.packetsReinjected = packetsReinjected;
        this.packetsReinjectedUnchanged = packetsReinjectedUnchanged;
        this.packetsInjected = packetsInjected;
        this.writesFailed = writesFailed;
        this.releaseDrops = releaseDrops;
        this.timeoutDrops = timeoutDrops;
        this.packetsUnhandled = packetsUnhandled;
        this.packetsTruncated = packetsTruncated;
        this.overflows = overflows;
        this.kernelQueueDrops = kernelQueueDrops;
        this.kernelSocketDrops = kernelSocketDrops;
    }

    /** Packets read from the kernel and passed to the pipeline. */
    public long packetsRead() {
        return packetsRead;
    }

    /**
     * Read packets written back with their own address and accepted by the kernel (Linux: an
     * NF_ACCEPT verdict sent; FreeBSD, OpenBSD: sent with sendmmsg). A write that failed its
     * promise is not counted.
     */
    public long packetsReinjected() {
        return packetsReinjected;
    }

    /**
     * Linux: of {@link #packetsReinjected()}, those written back with their bytes as read (not
     * written to, not trimmed): their verdicts carry no payload, the kernel passes its own copy
     * on. Always 0 on FreeBSD and OpenBSD, where every write carries the packet.
     */
    public long packetsReinjectedUnchanged() {
        return packetsReinjectedUnchanged;
    }

    /** New packets written with an injection address and sent by the kernel. */
    public long packetsInjected() {
        return packetsInjected;
    }

    /** Writes whose promise failed (refused by the channel or by the kernel). */
    public long writesFailed() {
        return writesFailed;
    }

    /**
     * Linux: read packets answered with NF_DROP because the pipeline released them without
     * writing them (including {@link #packetsUnhandled()}). On FreeBSD and OpenBSD a released
     * packet is simply not sent, and this is 0.
     */
    public long releaseDrops() {
        return releaseDrops;
    }

    /**
     * Linux: read packets answered with NF_DROP because the pipeline held them longer than
     * {@link DivertChannelOption#VERDICT_TIMEOUT_MILLIS}, or held so many that the oldest had to
     * make room.
     */
    public long timeoutDrops() {
        return timeoutDrops;
    }

    /**
     * Messages that reached the end of the pipeline without a handler consuming them, and were
     * released there: read packets (so dropped) or anything a handler made of them, such as a
     * codec's parsed packet. The first one of a channel is logged at WARN, naming its type.
     */
    public long packetsUnhandled() {
        return packetsUnhandled;
    }

    /**
     * Linux: packets read truncated, because the kernel copies at most {@link
     * DivertChannelOption#MAX_PACKET_SIZE} bytes of a packet and never more than 65531 (see
     * {@link DivertPacket#isTruncated()}). The first one of a channel is logged at WARN.
     */
    public long packetsTruncated() {
        return packetsTruncated;
    }

    /**
     * Linux: how many times a read failed with ENOBUFS, the netlink socket's way of saying that
     * the kernel could not deliver one or more packets to it. This counts events, not packets:
     * the packets lost are in {@link #kernelSocketDrops()}.
     */
    public long overflows() {
        return overflows;
    }

    /**
     * Linux: packets the kernel dropped without queueing them because this channel's queue held
     * {@link DivertChannelOption#QUEUE_MAXLEN} packets already ({@code queue_dropped} of this
     * queue in {@code /proc/net/netfilter/nfnetlink_queue}, read in the channel's network
     * namespace when this snapshot was taken). Packets accepted instead, with {@link
     * DivertChannelOption#FAIL_OPEN}, are not counted. 0 on FreeBSD and OpenBSD.
     */
    public long kernelQueueDrops() {
        return kernelQueueDrops;
    }

    /**
     * Linux: packets the kernel dropped because the netlink socket's receive buffer was full
     * ({@code queue_user_dropped} of this queue in {@code /proc/net/netfilter/nfnetlink_queue},
     * read in the channel's network namespace when this snapshot was taken). A larger {@link
     * io.netty.channel.ChannelOption#SO_RCVBUF} or a faster pipeline helps. 0 on FreeBSD and
     * OpenBSD.
     */
    public long kernelSocketDrops() {
        return kernelSocketDrops;
    }

    @Override
    public String toString() {
        return "DivertStats(read " + packetsRead + ", reinjected " + packetsReinjected + " (unchanged "
                + packetsReinjectedUnchanged + "), injected " + packetsInjected + ", write failures " + writesFailed
                + ", release drops " + releaseDrops + " (unhandled " + packetsUnhandled + "), timeout drops "
                + timeoutDrops + ", truncated " + packetsTruncated + ", overflows " + overflows
                + ", kernel queue drops " + kernelQueueDrops + ", kernel socket drops " + kernelSocketDrops + ")";
    }
}
