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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each topology carries real traffic through a channel on its diverting host. */
class TopologyKernelTest {
    @Test
    @IsolatedNetwork(Topology.PAIR)
    void aPairDivertsWhatOneHostSendsTheOther(TestNetwork network) throws Exception {
        assertEquals(List.of("a", "b"), network.hosts().stream().map(Host::name).toList());
        Host a = network.host("a");
        Host b = network.host("b");
        assertEquals(a, network.host());
        network.divert(DivertRule.udp().toPort(7000).divertTo(3));
        PassThrough pass = new PassThrough();
        network.bind(3, pass);
        for (InetAddress to : List.of(b.ipv4(), b.ipv6())) {
            try (UdpEndpoint server = b.udp(7000);
                    UdpEndpoint client = a.udp(0)) {
                byte[] payload = ("to " + to.getHostAddress()).getBytes(StandardCharsets.US_ASCII);
                client.send(new InetSocketAddress(to, 7000), payload);
                assertArrayEquals(payload, server.receive(Duration.ofSeconds(5)));
            }
        }
        assertEquals(2, pass.packets());
        assertEquals(0, a.waitingForVerdict(3));
    }

    @Test
    @IsolatedNetwork(Topology.ROUTED)
    void theRouterDivertsForwardedTcpAndHttpBetweenTheEnds(TestNetwork network) throws Exception {
        Host client = network.host("client");
        Host server = network.host("server");
        assertEquals("router", network.host().name());
        network.divert(DivertRule.tcp().forwarded().divertTo(4));
        PassThrough pass = new PassThrough();
        network.bind(4, pass);

        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        try (TcpEchoServer echo = server.tcpEcho(7001)) {
            assertArrayEquals(data, client.tcpExchange(new InetSocketAddress(server.ipv4(), 7001), data));
            assertArrayEquals(data, client.tcpExchange(new InetSocketAddress(server.ipv6(), 7001), data));
            assertEquals(2, echo.connections());
            assertEquals(2L * data.length, echo.bytesEchoed());
        }
        try (HttpFileServer http = server.httpServe(8080, data)) {
            assertArrayEquals(data, client.httpGet(http.uri()));
            assertEquals(1, http.requests());
        }
        assertTrue(pass.packets() > 20, "the router's channel saw " + pass.packets() + " packets");
    }

    @Test
    @IsolatedNetwork
    void withBypassPacketsPassWhileNoChannelIsBoundAndWithoutItTheyAreDropped(TestNetwork network) throws Exception {
        Host host = network.host();
        network.divert(
                DivertRule.udp().toPort(7002).ipv4Only().divertTo(5).bypassWhenUnbound(),
                DivertRule.udp().toPort(7003).ipv4Only().divertTo(6));
        try (UdpEndpoint open = host.udp(7002);
                UdpEndpoint closed = host.udp(7003);
                UdpEndpoint client = host.udp(0)) {
            client.send(new InetSocketAddress(host.ipv4(), 7002), new byte[] {1});
            client.send(new InetSocketAddress(host.ipv4(), 7003), new byte[] {2});
            assertArrayEquals(new byte[] {1}, open.receive(Duration.ofSeconds(5)));
            assertNull(closed.receive(Duration.ofMillis(300)));
        }
    }

    @Test
    @IsolatedNetwork
    void commandsRunInsideTheHostAndFailuresNameTheCommand(TestNetwork network) {
        Host host = network.host();
        String links = host.run("ip", "-o", "link", "show").checked();
        assertEquals(1, links.lines().count(), links); // only lo: the machine's own interfaces are not here
        CommandResult failed = host.run("ip", "link", "show", "no-such-device");
        assertEquals(false, failed.ok());
        IllegalStateException e = assertThrows(IllegalStateException.class, failed::checked);
        assertTrue(e.getMessage().startsWith("ip link show no-such-device exited with 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> network.host("router"));
    }
}
