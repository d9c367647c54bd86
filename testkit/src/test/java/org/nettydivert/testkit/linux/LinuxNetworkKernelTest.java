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
package org.nettydivert.testkit.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.Topology;
import org.nettydivert.testkit.UdpEndpoint;
import org.nettydivert.testkit.platform.Commands;

/** The Linux platform under the extension: both rule front ends, the checks, removal and the sweep. */
class LinuxNetworkKernelTest {
    @ParameterizedTest
    @EnumSource(FilterRules.class)
    void bothFrontEndsDivertBothFamiliesAndLeaveInjectedPacketsAlone(FilterRules filter) throws Exception {
        KernelTests.assumeAvailable();
        try (NetworkNamespace probe = NetworkNamespace.create()) {
            String why = LinuxPlatform.whyRulesFail(filter, probe);
            Assumptions.assumeTrue(why.isEmpty(), why);
        }
        try (LinuxNetwork network = LinuxNetwork.create(Topology.SINGLE, filter)) {
            Host host = network.host();
            network.divert(DivertRule.udp().toPort(7100).divertTo(2));
            AtomicInteger seen = new AtomicInteger();
            network.bind(2, new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    seen.incrementAndGet();
                    ctx.writeAndFlush(msg);
                }
            });
            try (UdpEndpoint server = host.udp(7100);
                    UdpEndpoint client = host.udp(0)) {
                client.send(new InetSocketAddress(host.ipv4(), 7100), new byte[] {4});
                client.send(new InetSocketAddress(host.ipv6(), 7100), new byte[] {6});
                assertArrayEquals(new byte[] {4}, server.receive(Duration.ofSeconds(5)));
                assertArrayEquals(new byte[] {6}, server.receive(Duration.ofSeconds(5)));
            }
            assertEquals(2, seen.get());
            String rules = filter == FilterRules.NFT
                    ? host.run("nft", "list", "table", "inet", FilterRules.TABLE)
                            .checked()
                    : host.run("iptables", "-S", "OUTPUT").checked();
            assertTrue(rules.contains("0x4456"), rules);
            assertEquals(List.of(), network.unsettled(0));
        }
    }

    @Test
    void packetsHeldAtTheEndAreReportedAndCloseRemovesEveryNamespace() throws Exception {
        KernelTests.assumeAvailable();
        LinuxNetwork network = LinuxNetwork.create(Topology.ROUTED, FilterRules.choose());
        List<String> names;
        try {
            names = network.hosts().stream().map(h -> ((LinuxHost) h).ns.name()).toList();
            Host client = network.host("client");
            network.divert(DivertRule.udp().forwarded().ipv4Only().divertTo(9));
            List<Object> held = new ArrayList<>();
            network.bind(9, new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    held.add(msg); // neither written nor released: the kernel waits for a verdict
                }
            });
            try (UdpEndpoint sender = client.udp(0)) {
                for (int i = 0; i < 3; i++) {
                    sender.send(new InetSocketAddress(network.host("server").ipv4(), 7200), new byte[] {(byte) i});
                }
            }
            List<String> unsettled = network.unsettled(2000);
            assertEquals(List.of("router: queue 9 holds 3 packets without a verdict"), unsettled);
            held.forEach(ReferenceCountUtil::release); // dropped: verdicts given
            assertEquals(List.of(), network.unsettled(2000));
        } finally {
            network.close();
        }
        assertEquals(List.of(), network.survivors());
        for (String name : names) {
            assertFalse(Files.exists(NetworkNamespace.NETNS_DIR.resolve(name)), name);
        }
    }

    @Test
    void theSweepRemovesNamespacesOfProcessesThatAreGoneAndNoOthers() {
        KernelTests.assumeAvailable();
        // No pid reaches a billion (pid_max is at most 2^22), so this is a crashed run's leftover.
        String dead = "nd-999999999-1";
        String alive = "nd-" + ProcessHandle.current().pid() + "-999999";
        String ip = NetworkNamespace.tool("ip");
        try {
            Commands.run(List.of(ip, "netns", "add", dead), Duration.ofSeconds(30));
            Commands.run(List.of(ip, "netns", "add", alive), Duration.ofSeconds(30));
            List<String> removed = LinuxPlatform.INSTANCE.sweep();
            assertTrue(removed.contains(dead), removed.toString());
            assertFalse(removed.contains(alive), removed.toString());
            assertFalse(Files.exists(NetworkNamespace.NETNS_DIR.resolve(dead)));
            assertTrue(Files.exists(NetworkNamespace.NETNS_DIR.resolve(alive)));
        } finally {
            Commands.run(List.of(ip, "netns", "del", dead), Duration.ofSeconds(30));
            Commands.run(List.of(ip, "netns", "del", alive), Duration.ofSeconds(30));
        }
    }
}
