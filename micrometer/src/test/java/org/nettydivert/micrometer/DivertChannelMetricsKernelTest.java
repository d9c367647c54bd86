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
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.nettydivert.testing.NetworkNamespace;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertIoHandler;

/**
 * The binder on a real channel, in a network namespace of its own (root only): a packet the
 * pipeline releases shows as read and as a release drop, under the channel's port.
 */
class DivertChannelMetricsKernelTest {
    private static final int QUEUE = 7;

    @Test
    void countsWhatTheChannelSaw() throws Exception {
        NetworkNamespace.assumeKernelTestsCanRun();
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            EventLoopGroup group =
                    new MultiThreadIoEventLoopGroup(1, ns.threadFactory("divert"), DivertIoHandler.newFactory());
            try {
                DivertChannel channel = (DivertChannel) new Bootstrap()
                        .group(group)
                        .channel(DivertChannel.class)
                        .handler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg); // dropped
                            }
                        })
                        .bind(DivertAddress.port(QUEUE))
                        .sync()
                        .channel();
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                new DivertChannelMetrics(channel, Tags.of("test", "kernel")).bindTo(registry);

                ns.exec("ip", "link", "set", "lo", "up");
                ns.iptables(
                        "-A",
                        "OUTPUT",
                        "-p",
                        "udp",
                        "--dport",
                        "7777",
                        "-j",
                        "NFQUEUE",
                        "--queue-num",
                        Integer.toString(QUEUE));
                ns.exec("bash", "-c", "echo hello > /dev/udp/127.0.0.1/7777");

                long deadline = System.nanoTime() + 10_000_000_000L;
                while (channel.stats().releaseDrops() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Thread.sleep(DivertChannelMetrics.DEFAULT_SNAPSHOT_MILLIS); // the binder's snapshot ages
                assertEquals(
                        1,
                        count(registry, "divert.packets.read"),
                        channel.stats().toString());
                assertEquals(1, count(registry, "divert.drops", "reason", "release"));
                assertEquals(0, count(registry, "divert.packets.reinjected"));
                assertEquals(0, count(registry, "divert.drops", "reason", "kernel.queue"));
                channel.close().sync();
            } finally {
                group.shutdownGracefully().sync();
            }
        }
    }

    private static double count(SimpleMeterRegistry registry, String name, String... tags) {
        return registry.get(name)
                .tags("port", Integer.toString(QUEUE), "test", "kernel")
                .tags(tags)
                .functionCounter()
                .count();
    }
}
