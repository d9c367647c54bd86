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

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.transport.DivertChannel;

/**
 * The binder on a real channel, in an isolated network of its own (root only): a packet the
 * pipeline releases shows as read and as a release drop, under the channel's port.
 */
class DivertChannelMetricsKernelTest {
    private static final int QUEUE = 7;

    @Test
    @IsolatedNetwork
    void countsWhatTheChannelSaw(TestNetwork network) throws Exception {
        Host host = network.host();
        DivertChannel channel = host.bind(QUEUE, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg); // dropped
            }
        });
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new DivertChannelMetrics(channel, Tags.of("test", "kernel")).bindTo(registry);

        host.divert(DivertRule.udp().toPort(7777).ipv4Only().divertTo(QUEUE));
        host.run("bash", "-c", "echo hello > /dev/udp/127.0.0.1/7777").checked();

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (channel.stats().releaseDrops() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(DivertChannelMetrics.DEFAULT_SNAPSHOT_MILLIS); // the binder's snapshot ages
        assertEquals(1, count(registry, "divert.packets.read"), channel.stats().toString());
        assertEquals(1, count(registry, "divert.drops", "reason", "release"));
        assertEquals(0, count(registry, "divert.packets.reinjected"));
        assertEquals(0, count(registry, "divert.drops", "reason", "kernel.queue"));
        channel.close().sync();
    }

    private static double count(SimpleMeterRegistry registry, String name, String... tags) {
        return registry.get(name)
                .tags("port", Integer.toString(QUEUE), "test", "kernel")
                .tags(tags)
                .functionCounter()
                .count();
    }
}
