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
package org.nettydivert.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension's end-of-test checks, seen from outside: small test classes run under it by
 * JUnit's engine test kit, and how they ended. (The classes are nested, so the build's own test
 * run does not pick them up.)
 */
class IsolatedNetworkExtensionTest {
    static final List<Object> HELD = new ArrayList<>();
    static volatile String namespaceName;

    @IsolatedNetwork
    static class HoldsPackets {
        @Test
        void holdsTwoPackets(TestNetwork network) throws Exception {
            network.divert(DivertRule.udp().toPort(7300).ipv4Only().divertTo(1));
            network.bind(1, new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    synchronized (HELD) {
                        HELD.add(msg);
                    }
                }
            });
            try (UdpEndpoint client = network.host().udp(0)) {
                client.send(new InetSocketAddress(network.host().ipv4(), 7300), new byte[] {1});
                client.send(new InetSocketAddress(network.host().ipv4(), 7300), new byte[] {2});
            }
        }
    }

    @IsolatedNetwork
    static class LeaksABuffer {
        @Test
        void forgetsToRelease(TestNetwork network) {
            ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(64);
            leaked.writeLong(42);
            // No release: the buffer is unreachable once the method returns.
        }
    }

    @IsolatedNetwork(Topology.PAIR)
    static class FailsItself {
        @Test
        void fails(TestNetwork network) {
            namespaceName =
                    network.host("b").run("ip", "netns", "identify").stdout().strip();
            throw new AssertionError("the test's own failure");
        }
    }

    @IsolatedNetwork
    static class LeavesItClean {
        @Test
        void passesTraffic(TestNetwork network) throws Exception {
            network.divert(DivertRule.udp().toPort(7301).divertTo(2));
            network.bind(2, new PassThrough());
            try (UdpEndpoint server = network.host().udp(7301);
                    UdpEndpoint client = network.host().udp(0)) {
                client.send(new InetSocketAddress(network.host().ipv4(), 7301), new byte[] {3});
                server.receive(java.time.Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void packetsLeftWithoutAVerdictFailTheTest() {
        IsolatedNetworkExtension.assumeAvailable();
        try {
            String message = onlyFailure(run(HoldsPackets.class)).getMessage();
            assertTrue(message.contains("host: queue 1 holds 2 packets without a verdict"), message);
        } finally {
            synchronized (HELD) {
                HELD.forEach(ReferenceCountUtil::release);
                HELD.clear();
            }
        }
    }

    @Test
    void aLeakedBufferFailsTheTest() {
        IsolatedNetworkExtension.assumeAvailable();
        String message = onlyFailure(run(LeaksABuffer.class)).getMessage();
        assertTrue(message.contains("LEAK: ByteBuf was garbage-collected without release()"), message);
    }

    @Test
    void aFailingTestStillHasItsNetworkRemoved() {
        IsolatedNetworkExtension.assumeAvailable();
        Throwable failure = onlyFailure(run(FailsItself.class));
        assertEquals("the test's own failure", failure.getMessage());
        assertTrue(namespaceName.startsWith("nd-"), namespaceName);
        assertTrue(Files.notExists(Path.of("/var/run/netns", namespaceName)), namespaceName + " survived");
    }

    @Test
    void aCleanTestPasses() {
        IsolatedNetworkExtension.assumeAvailable();
        run(LeavesItClean.class).assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    private static Events run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(testClass))
                .execute()
                .testEvents();
    }

    private static Throwable onlyFailure(Events events) {
        List<Event> failed = events.failed().list();
        assertEquals(1, failed.size(), () -> "failed: " + failed + ", all: " + events.list());
        return failed.get(0)
                .getPayload(TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
    }
}
