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
package org.nettydivert.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.channel.Channel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.codec.ip.IpPacketCodec;
import org.nettydivert.codec.ip.IpProtocol;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertStats;

/** The rewrite-port and drop pipelines against the real kernel, in an isolated network of their own. */
@IsolatedNetwork
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LiveProgramsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Host host;
    private Channel channel;

    @BeforeEach
    void setUp(TestNetwork network) {
        host = network.host();
    }

    private void divert(io.netty.channel.ChannelHandler handler) throws InterruptedException {
        channel = host.bind(7, Main.pipeline(new IpPacketCodec(), handler));
    }

    private DatagramSocket udp(int port) throws Exception {
        return host.call(() -> {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, port));
            s.setSoTimeout(3000);
            return s;
        });
    }

    private static String receive(DatagramSocket socket, int[] fromPort) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (fromPort != null) {
            fromPort[0] = p.getPort();
        }
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    private static void send(DatagramSocket from, int toPort, String text) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        from.send(new DatagramPacket(data, data.length, LOOPBACK, toPort));
    }

    @Test
    void rewritePortForwardsAServiceToAnotherPortAndBack() throws Exception {
        // Outbound requests to 80 are diverted on the way out, replies from 8080 on the way in.
        host.divert(
                DivertRule.udp().toPort(80).ipv4Only().divertTo(7),
                DivertRule.udp().fromPort(8080).ipv4Only().inbound().divertTo(7));
        RewritePortHandler rewrite = new RewritePortHandler(80, 8080);
        divert(rewrite);
        try (DatagramSocket server = udp(8080);
                DatagramSocket client = udp(0)) {
            send(client, 80, "ping");
            int[] from = new int[1];
            assertEquals("ping", receive(server, from), "the request to port 80 reached the server on 8080");
            send(server, from[0], "pong");
            assertEquals("pong", receive(client, from));
            assertEquals(80, from[0], "the reply looks as if it came from port 80");
        }
        assertEquals("rewrite-port: 2 packets rewritten, 0 passed unchanged", rewrite.totals());
        assertEquals(0, stats().packetsReinjectedUnchanged(), "both went back with their new bytes");
    }

    /** The channel's counters, read on its loop after the task that wrote the last packet. */
    private DivertStats stats() throws Exception {
        return channel.eventLoop().submit(((DivertChannel) channel)::stats).get(5, TimeUnit.SECONDS);
    }

    @Test
    void dropStopsMatchingDatagramsAndLetsTheOthersThrough() throws Exception {
        host.divert(DivertRule.udp().ipv4Only().divertTo(7));
        DropHandler drop = new DropHandler(IpProtocol.UDP, 53, null);
        divert(drop);
        try (DatagramSocket dns = udp(53);
                DatagramSocket other = udp(5353);
                DatagramSocket client = udp(0)) {
            send(client, 53, "query");
            send(client, 5353, "mdns");
            assertEquals("mdns", receive(other, null));
            dns.setSoTimeout(300);
            assertNull(receive(dns, null), "the datagram to port 53 was dropped");
        }
        assertEquals(1, drop.dropped());
        assertEquals(1, drop.passed());
        // Decoded and encoded by codec-ip but not changed: accepted without its bytes.
        assertEquals(1, stats().packetsReinjectedUnchanged());
    }
}
