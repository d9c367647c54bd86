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
package org.nettydivert.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertStats;

/**
 * Exports a {@link DivertChannel}'s {@link DivertStats} to a Micrometer {@link MeterRegistry}, as
 * function counters tagged with the channel's divert port ({@code port}) and any tags given:
 *
 * <ul>
 *   <li>{@code divert.packets.read}, {@code divert.packets.reinjected}, {@code
 *       divert.packets.reinjected.unchanged}, {@code divert.packets.injected}, {@code
 *       divert.packets.unhandled}, {@code divert.packets.truncated} (base unit {@code packets});
 *   <li>{@code divert.drops} (base unit {@code packets}) with a {@code reason} tag: {@code
 *       release}, {@code timeout}, {@code kernel.queue}, {@code kernel.socket};
 *   <li>{@code divert.writes.failed} (base unit {@code writes}) and {@code divert.overflows}
 *       (base unit {@code events}).
 * </ul>
 *
 * <p>The drop reasons are disjoint, so their sum is every packet lost. {@code
 * divert.packets.unhandled} is not a drop reason: on Linux its packets are already in {@code
 * reason=release}, and it also counts messages a handler made of packets.
 *
 * <p>{@link DivertChannel#stats()} builds a new snapshot, and on Linux reads {@code /proc}, on
 * each call. Rather than one call per meter per scrape, this binder keeps a snapshot for {@link
 * #DEFAULT_SNAPSHOT_MILLIS} milliseconds: a scrape then costs one call, and its counters all
 * come from the same moment, so that, say, packets reinjected never exceed packets read within
 * a scrape. Scrape intervals are seconds, so the counters are never staler than that.
 */
public final class DivertChannelMetrics implements MeterBinder {
    /** How long a snapshot of the counters serves the meters, in milliseconds. */
    public static final long DEFAULT_SNAPSHOT_MILLIS = 100;

    private static final String PACKETS = "packets";

    private final Supplier<DivertStats> stats;
    private final Tags tags;
    private final long snapshotNanos;
    private final LongSupplier nanoTime;

    // One snapshot and when it was taken, published together: a racing scrape at worst reads
    // stats() once more, which is harmless.
    private volatile Snapshot snapshot;

    /**
     * Exports {@code channel}'s counters, tagged with its divert port and {@code tags}.
     *
     * @throws IllegalStateException if the channel is not bound yet (it has no port to tag with)
     */
    public DivertChannelMetrics(DivertChannel channel, Iterable<Tag> tags) {
        this(Objects.requireNonNull(channel, "channel")::stats, portOf(channel), tags);
    }

    /**
     * Exports the counters {@code stats} gives, tagged with {@code port=port} and {@code tags}:
     * for a channel whose counters come some other way, such as through a wrapper.
     */
    public DivertChannelMetrics(Supplier<DivertStats> stats, int port, Iterable<Tag> tags) {
        this(stats, port, tags, DEFAULT_SNAPSHOT_MILLIS * 1_000_000L, System::nanoTime);
    }

    // For tests: a clock they control.
    DivertChannelMetrics(
            Supplier<DivertStats> stats, int port, Iterable<Tag> tags, long snapshotNanos, LongSupplier nanoTime) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("port", Integer.toString(port));
        this.snapshotNanos = snapshotNanos;
        this.nanoTime = nanoTime;
    }

    private static int portOf(DivertChannel channel) {
        if (channel.localAddress() == null) {
            throw new IllegalStateException("bind the channel before binding its metrics: " + channel);
        }
        return channel.localAddress().port();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(
                registry,
                "divert.packets.read",
                PACKETS,
                DivertStats::packetsRead,
                Tags.empty(),
                "Packets read from the kernel and passed to the pipeline.");
        counter(
                registry,
                "divert.packets.reinjected",
                PACKETS,
                DivertStats::packetsReinjected,
                Tags.empty(),
                "Read packets written back with their own address and accepted by the kernel.");
        counter(
                registry,
                "divert.packets.reinjected.unchanged",
                PACKETS,
                DivertStats::packetsReinjectedUnchanged,
                Tags.empty(),
                "Linux: of the packets reinjected, those written back with their bytes as read.");
        counter(
                registry,
                "divert.packets.injected",
                PACKETS,
                DivertStats::packetsInjected,
                Tags.empty(),
                "New packets written with an injection address and sent by the kernel.");
        counter(
                registry,
                "divert.packets.unhandled",
                PACKETS,
                DivertStats::packetsUnhandled,
                Tags.empty(),
                "Messages that reached the end of the pipeline without a handler consuming them.");
        counter(
                registry,
                "divert.packets.truncated",
                PACKETS,
                DivertStats::packetsTruncated,
                Tags.empty(),
                "Linux: packets read truncated to the maximum packet size.");
        counter(
                registry,
                "divert.drops",
                PACKETS,
                DivertStats::releaseDrops,
                Tags.of("reason", "release"),
                "Linux: read packets dropped because the pipeline released them without writing them.");
        counter(
                registry,
                "divert.drops",
                PACKETS,
                DivertStats::timeoutDrops,
                Tags.of("reason", "timeout"),
                "Linux: read packets dropped because the pipeline held them too long or held too many.");
        counter(
                registry,
                "divert.drops",
                PACKETS,
                DivertStats::kernelQueueDrops,
                Tags.of("reason", "kernel.queue"),
                "Linux: packets the kernel dropped without queueing them because the queue was full.");
        counter(
                registry,
                "divert.drops",
                PACKETS,
                DivertStats::kernelSocketDrops,
                Tags.of("reason", "kernel.socket"),
                "Linux: packets the kernel dropped because the netlink socket's receive buffer was full.");
        counter(
                registry,
                "divert.writes.failed",
                "writes",
                DivertStats::writesFailed,
                Tags.empty(),
                "Writes whose promise failed (refused by the channel or by the kernel).");
        counter(
                registry,
                "divert.overflows",
                "events",
                DivertStats::overflows,
                Tags.empty(),
                "Linux: reads that failed with ENOBUFS (events, not packets).");
    }

    private void counter(
            MeterRegistry registry,
            String name,
            String unit,
            ToLongFunction<DivertStats> value,
            Tags extra,
            String description) {
        FunctionCounter.builder(name, this, m -> value.applyAsLong(m.current()))
                .tags(tags.and(extra))
                .baseUnit(unit)
                .description(description)
                .register(registry);
    }

    /** The snapshot to read, taking a new one when the last is older than the snapshot time. */
    DivertStats current() {
        long now = nanoTime.getAsLong();
        Snapshot s = snapshot;
        if (s == null || now - s.takenNanos >= snapshotNanos) {
            s = new Snapshot(stats.get(), now);
            snapshot = s;
        }
        return s.stats;
    }

    private static final class Snapshot {
        final DivertStats stats;
        final long takenNanos;

        Snapshot(DivertStats stats, long takenNanos) {
            this.stats = stats;
            this.takenNanos = takenNanos;
        }
    }
}
