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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.testkit.Topology;

/**
 * GSO on ({@link DivertChannelOption#GSO}, the default): over a veth pair with MTU 1500 between
 * two namespaces, the sender's TCP packets reach the pipeline whole, larger than the MTU, and
 * written back so they carry a 50 MB transfer byte-identical.
 */
@IsolatedNetwork(Topology.PAIR)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NfqueueGsoTest {
    private static final int QUEUE = 12;
    private static final int TRANSFER_BYTES = 50 * 1024 * 1024;
    private static final int MTU = 1500;

    @Test
    void packetsLargerThanTheMtuReachThePipelineWholeAndFiftyMegabytesArriveByteIdentical(TestNetwork network)
            throws Exception {
        byte[] data = new byte[TRANSFER_BYTES];
        new Random(0x650).nextBytes(data);
        byte[] expected = EndToEnd.sha256(data);
        // a, the sender's side, diverts; b is the server, across a veth pair.
        Host client = network.host("a");
        Host server = network.host("b");
        EndToEnd.exec(client, "ip", "link", "set", "eth0", "mtu", "" + MTU);
        EndToEnd.exec(server, "ip", "link", "set", "eth0", "mtu", "" + MTU);
        InetAddress serverAddress = server.ipv4();

        EventLoopGroup tcpGroup = client.eventLoopGroup(2, NioIoHandler.newFactory());
        Channel listener = null;
        Channel sender = null;
        DivertChannel divert = null;
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        ServerBootstrap serverBootstrap = new ServerBootstrap()
                .group(tcpGroup)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new EndToEnd.ReceivingDigest(received, TRANSFER_BYTES));
                    }
                });
        listener = server.call(() -> serverBootstrap
                .bind(new InetSocketAddress(serverAddress, 0))
                .sync()
                .channel());
        int port = ((InetSocketAddress) listener.localAddress()).getPort();

        AtomicInteger largest = new AtomicInteger();
        AtomicLong aboveMtu = new AtomicLong();
        AtomicLong packets = new AtomicLong();
        WriteBackHandler writeBack = new WriteBackHandler(p -> {
            packets.incrementAndGet();
            int length = p.originalLength();
            largest.accumulateAndGet(length, Math::max);
            if (length > MTU) {
                aboveMtu.incrementAndGet();
            }
        });
        divert = client.bind(QUEUE, writeBack);
        client.divert(DivertRule.tcp().toPort(port).ipv4Only().divertTo(QUEUE));

        sender = client.call(() -> new Bootstrap()
                .group(tcpGroup)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(new InetSocketAddress(serverAddress, port))
                .sync()
                .channel());
        sender.writeAndFlush(Unpooled.wrappedBuffer(data));

        assertArrayEquals(expected, received.get(90, TimeUnit.SECONDS), "what the server received");
        writeBack.assertNoFailure();
        String seen = packets + " packets, " + aboveMtu + " above the MTU, the largest " + largest + " bytes";
        assertTrue(aboveMtu.get() > 0, seen);
        assertTrue(largest.get() > 2 * MTU, seen);
        System.out.println("NfqueueGsoTest: " + seen);
    }
}
