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
package org.nettydivert.testkit.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.testkit.UdpEndpoint;
import org.nettydivert.transport.DivertPacket;

@IsolatedNetwork
class DropFilterTest {
    /** Drops every datagram whose payload starts with "drop", passes the rest. */
    static final class DropFilter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DivertPacket packet = (DivertPacket) msg;
            String text = packet.content().toString(28, 4, StandardCharsets.US_ASCII); // after IPv4 + UDP
            if (text.equals("drop")) {
                ReferenceCountUtil.release(packet);
            } else {
                ctx.write(packet);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    @Test
    void theFilterDropsWhatItShould(TestNetwork network) throws Exception {
        network.divert(DivertRule.udp().toPort(9000).ipv4Only().divertTo(7));
        network.bind(7, new DropFilter());

        Host host = network.host();
        try (UdpEndpoint server = host.udp(9000);
                UdpEndpoint client = host.udp(0)) {
            InetSocketAddress to = new InetSocketAddress(host.ipv4(), 9000);
            for (String text : List.of("keep 1", "drop 2", "keep 3")) {
                client.send(to, text.getBytes(StandardCharsets.US_ASCII));
            }
            List<byte[]> arrived = server.receive(3, Duration.ofSeconds(1));
            assertEquals(
                    List.of("keep 1", "keep 3"),
                    arrived.stream()
                            .map(b -> new String(b, StandardCharsets.US_ASCII))
                            .toList());
        }
    }
}
