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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;

/**
 * TCP through NFQUEUE: every segment of one connection, both ways, is read by a DivertChannel
 * and written back, and the connection carries its bytes unchanged.
 */
@IsolatedNetwork
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NfqueueTcpTest {
    private static final int QUEUE = 4;
    private static final int TRANSFER_BYTES = 5 * 1024 * 1024;
    /** Most NFQUEUE copies of a packet: a netlink attribute's 16-bit length, less its header. */
    private static final int MAX_COPY = 65531;

    /**
     * The client sends 5 MB, the server echoes every byte back: both directions carry 5 MB of
     * data through the queue, and both ends see exactly the bytes that were sent.
     *
     * <p>At an Ethernet-sized MTU on lo the transfer is thousands of packets. At lo's own MTU,
     * 65536, TCP sends packets of up to 65535 bytes (IPv4) or 65536 (IPv6), longer than the
     * 65531 bytes NFQUEUE can copy to user space: the pipeline reads them cut short, and
     * writing them back so must still deliver the kernel's whole packet.
     *
     * <p>GSO is off here, so that these are the packets TCP sends at these MTUs. With it on, lo
     * hands NFQUEUE GSO packets of up to 128 KiB and more (its tso_max_size is 512 KiB), whose IP
     * length field is 0 (as in BIG TCP): read cut short to 65531 bytes, written back unchanged
     * whole; NfqueueGsoTest covers GSO over a veth.
     */
    @ParameterizedTest(name = "over {0} with lo MTU {1}")
    @CsvSource({"127.0.0.1, 1500", "::1, 1500", "127.0.0.1, 65536", "::1, 65536"})
    void aConnectionWhosePacketsBothWaysAreDivertedAndWrittenBackCarriesFiveMegabytesEachWayByteIdentical(
            String loopback, int mtu, TestNetwork network) throws Exception {
        InetAddress address = InetAddress.getByName(loopback);
        byte[] data = new byte[TRANSFER_BYTES];
        new Random(0x5EED).nextBytes(data);
        byte[] expected = EndToEnd.sha256(data);

        Host host = network.host();
        EndToEnd.exec(host, "ip", "link", "set", "lo", "mtu", Integer.toString(mtu));
        EventLoopGroup tcpGroup = host.eventLoopGroup(2, NioIoHandler.newFactory());
        Channel server = null;
        Channel client = null;
        DivertChannel divert = null;
        CompletableFuture<byte[]> serverReceived = new CompletableFuture<>();
        CompletableFuture<Void> serverClosed = new CompletableFuture<>();
        // Netty opens a channel's socket on the thread that calls bind or connect: these
        // run inside the namespace, and accepted sockets are born where the listener is.
        ServerBootstrap serverBootstrap = new ServerBootstrap()
                .group(tcpGroup)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.closeFuture().addListener(f -> serverClosed.complete(null));
                        ch.pipeline().addLast(new EchoingDigest(serverReceived));
                    }
                });
        server = host.call(() ->
                serverBootstrap.bind(new InetSocketAddress(address, 0)).sync().channel());
        int port = ((InetSocketAddress) server.localAddress()).getPort();

        TcpFlows flows = new TcpFlows(port);
        WriteBackHandler writeBack = new WriteBackHandler(flows::count);
        // GSO off: the test reads the sizes TCP sends at this MTU (lo's GSO packets exceed 64 KiB with IP length
        // 0).
        divert = host.bind(QUEUE, writeBack, new Bootstrap().option(DivertChannelOption.GSO, false));
        EndToEnd.divertTcpPort(host, address.getAddress().length == 4, port, QUEUE);

        CompletableFuture<byte[]> clientReceived = new CompletableFuture<>();
        Bootstrap clientBootstrap = new Bootstrap()
                .group(tcpGroup)
                .channel(NioSocketChannel.class)
                .handler(new EndToEnd.ReceivingDigest(clientReceived, TRANSFER_BYTES));
        client = host.call(() -> clientBootstrap
                .connect(new InetSocketAddress(address, port))
                .sync()
                .channel());
        client.writeAndFlush(Unpooled.wrappedBuffer(data));

        assertArrayEquals(expected, serverReceived.get(40, TimeUnit.SECONDS), "what the server received");
        assertArrayEquals(expected, clientReceived.get(40, TimeUnit.SECONDS), "what the server echoed");
        client.close().sync();
        serverClosed.get(10, TimeUnit.SECONDS);
        flows.closed.get(10, TimeUnit.SECONDS);
        assertEquals(0, flows.resets.get(), "an orderly close: " + flows);
        if (mtu > MAX_COPY) {
            assertTrue(flows.cutShort.get() > 0, "full-size packets were read cut short: " + flows);
        } else {
            assertEquals(0, flows.cutShort.get(), "every packet was read whole: " + flows);
        }

        DivertStats stats = EndToEnd.awaitSettled(host, QUEUE, divert, writeBack, Duration.ofSeconds(10));
        writeBack.assertNoFailure();
        assertEquals(0, flows.strangers.get(), "packets of other flows, or not OUTBOUND on lo");
        assertTrue(flows.toServerPackets.get() > 0 && flows.fromServerPackets.get() > 0, flows.toString());
        // Each way at least the data itself went through the channel (more only if TCP
        // retransmitted, which a loss-free path should not make it do).
        assertTrue(flows.toServerData.get() >= TRANSFER_BYTES, flows.toString());
        assertTrue(flows.fromServerData.get() >= TRANSFER_BYTES, flows.toString());
        EndToEnd.assertEveryPacketWrittenBack(
                stats, flows.toServerPackets.get() + flows.fromServerPackets.get(), EndToEnd.queueStats(host, QUEUE));
    }

    /** The server: digests what it receives and echoes it back. */
    private static final class EchoingDigest extends EndToEnd.ReceivingDigest {
        EchoingDigest(CompletableFuture<byte[]> done) {
            super(done, TRANSFER_BYTES);
        }

        @Override
        void passOn(ChannelHandlerContext ctx, ByteBuf buf) {
            ctx.write(buf);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
