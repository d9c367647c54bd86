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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.TestStats;

/** The binder's meters, names, tags and snapshot caching, with counters made up. */
class DivertChannelMetricsTest {
    @Test
    void exportsEveryCounterWithPortAndUserTags() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new DivertChannelMetrics(() -> TestStats.sequential(0), 7, Tags.of("app", "fw")).bindTo(registry);

        assertEquals(1, count(registry, "divert.packets.read"));
        assertEquals(2, count(registry, "divert.packets.reinjected"));
        assertEquals(3, count(registry, "divert.packets.reinjected.unchanged"));
        assertEquals(4, count(registry, "divert.packets.injected"));
        assertEquals(5, count(registry, "divert.writes.failed"));
        assertEquals(6, count(registry, "divert.drops", "reason", "release"));
        assertEquals(7, count(registry, "divert.drops", "reason", "timeout"));
        assertEquals(8, count(registry, "divert.packets.unhandled"));
        assertEquals(9, count(registry, "divert.packets.truncated"));
        assertEquals(10, count(registry, "divert.overflows"));
        assertEquals(11, count(registry, "divert.drops", "reason", "kernel.queue"));
        assertEquals(12, count(registry, "divert.drops", "reason", "kernel.socket"));
        assertEquals(12, registry.getMeters().size());

        FunctionCounter read = registry.get("divert.packets.read")
                .tags("port", "7", "app", "fw")
                .functionCounter();
        assertEquals("packets", read.getId().getBaseUnit());
        assertEquals(
                "Packets read from the kernel and passed to the pipeline.",
                read.getId().getDescription());
        assertEquals(
                "events",
                registry.get("divert.overflows").functionCounter().getId().getBaseUnit());
        assertEquals(
                "writes",
                registry.get("divert.writes.failed").functionCounter().getId().getBaseUnit());
    }

    @Test
    void oneSnapshotServesAllMetersUntilItIsOld() {
        AtomicInteger calls = new AtomicInteger();
        AtomicLong now = new AtomicLong(1_000);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new DivertChannelMetrics(
                        () -> TestStats.sequential(100L * calls.incrementAndGet()), 3, Tags.empty(), 50, now::get)
                .bindTo(registry);

        // A scrape: every meter read, one stats() call.
        registry.getMeters().forEach(m -> m.measure().forEach(Measurement::getValue));
        assertEquals(1, calls.get());
        assertEquals(101, count(registry, "divert.packets.read"));

        now.addAndGet(49);
        assertEquals(101, count(registry, "divert.packets.read"));
        assertEquals(1, calls.get());

        now.addAndGet(1);
        assertEquals(201, count(registry, "divert.packets.read"));
        assertEquals(212, count(registry, "divert.drops", "reason", "kernel.socket"));
        assertEquals(2, calls.get());
    }

    @Test
    void anUnboundChannelHasNoPortToTag() {
        DivertChannel channel = new DivertChannel();
        assertThrows(IllegalStateException.class, () -> new DivertChannelMetrics(channel, Tags.empty()));
        channel.unsafe().closeForcibly();
    }

    static double count(SimpleMeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }
}
