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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.testkit.linux.NetworkNamespace;

/**
 * {@link DivertChannelOption#NETWORK_NAMESPACE}: a channel on an event loop in this test's own
 * namespace binds a queue of another namespace (one the test created), its packets arrive, its
 * devices are named and its kernel counters read as that namespace has them, and no thread of
 * the test changes namespace.
 */
@IsolatedNetwork
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NfqueueNamespaceTest {
    private static final int QUEUE = 11;
    private static final int PORT = 9797;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Host host;
    /** An event loop whose thread stays in the namespace the test runs in. */
    private EventLoopGroup outside;

    @BeforeEach
    void setUp(TestNetwork network) {
        host = network.host();
        outside = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() {
        if (outside != null) {
            outside.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static Path ownNamespace() throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
    }

    @Test
    void aChannelBindsAQueueOfAnotherNamespaceWithoutEnteringIt() throws Exception {
        Path before = ownNamespace();
        // A veth pair with both ends inside the namespace: devices the test's own namespace lacks.
        EndToEnd.exec(host, "ip", "link", "add", "nd-meta0", "type", "veth", "peer", "name", "nd-meta1");
        EndToEnd.exec(host, "ip", "addr", "add", "10.77.0.1/24", "dev", "nd-meta0");
        EndToEnd.exec(host, "ip", "link", "set", "nd-meta1", "up");
        EndToEnd.exec(host, "ip", "link", "set", "nd-meta0", "up");
        host.divert(DivertRule.udp().toPort(PORT).ipv4Only().divertTo(QUEUE));
        LinkedBlockingQueue<DivertPacket> read = new LinkedBlockingQueue<>();
        List<DivertPacket> held = new CopyOnWriteArrayList<>();
        AtomicBoolean hold = new AtomicBoolean();
        List<Path> loopNamespace = new CopyOnWriteArrayList<>();
        DivertChannel channel = (DivertChannel) new Bootstrap()
                .group(outside)
                .channel(DivertChannel.class)
                .option(
                        DivertChannelOption.NETWORK_NAMESPACE,
                        NetworkNamespace.of(host).name())
                .option(DivertChannelOption.QUEUE_MAXLEN, 4)
                .option(DivertChannelOption.NFQUEUE_METADATA, java.util.Set.of(PacketMetadata.Extra.OWNER))
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                        DivertPacket packet = (DivertPacket) msg;
                        if (loopNamespace.isEmpty()) {
                            loopNamespace.add(ownNamespace());
                        }
                        if (hold.get()) {
                            held.add(packet);
                        } else if (packet.address().interfaceName().equals("lo")) {
                            ctx.write(packet);
                        } else {
                            read.add(packet);
                        }
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                })
                .bind(DivertAddress.port(QUEUE))
                .sync()
                .channel();
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT);
                DatagramSocket sender = EndToEnd.udp(host, LOOPBACK, 0)) {
            // Sent inside the namespace, read outside, written back, received inside.
            sender.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, LOOPBACK, PORT));
            assertArrayEquals(new byte[] {1, 2, 3}, Datagrams.receive(receiver));

            // A device only that namespace has is named by the namespace's index.
            try (DatagramSocket any = EndToEnd.udp(host, InetAddress.getByName("0.0.0.0"), 0)) {
                any.send(new DatagramPacket(new byte[] {4}, 1, InetAddress.getByName("10.77.0.2"), PORT));
            }
            DivertPacket out = read.poll(5, TimeUnit.SECONDS);
            assertNotNull(out, "the datagram to the veth device was diverted");
            try {
                assertEquals("nd-meta0", out.address().interfaceName());
                assertEquals("nd-meta0", out.metadata().outInterface());
                assertEquals(0, out.metadata().uid(), "sent by this JVM, as root");
            } finally {
                out.release();
            }

            // The kernel's counters are the namespace's: a full queue of 4 drops the rest.
            hold.set(true);
            for (int i = 0; i < 12; i++) {
                sender.send(new DatagramPacket(new byte[] {(byte) i}, 1, LOOPBACK, PORT));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (channel.stats().kernelQueueDrops() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(channel.stats().kernelQueueDrops() > 0, channel.stats().toString());
        } finally {
            // Closed first: packets still in the socket's buffer may be read until then.
            channel.close().sync();
            channel.eventLoop()
                    .submit(() -> {
                        held.forEach(DivertPacket::release);
                        read.forEach(DivertPacket::release);
                    })
                    .sync();
        }
        assertEquals(before, ownNamespace(), "the test thread never changed namespace");
        assertEquals(List.of(before), loopNamespace, "the event loop never changed namespace");
        assertTrue(channel.stats().kernelQueueDrops() > 0, "the last values stay after close");
    }

    @Test
    void anUnknownNamespaceFailsTheBindSayingSo() {
        Exception e = assertThrows(Exception.class, () -> new Bootstrap()
                .group(outside)
                .channel(DivertChannel.class)
                .option(DivertChannelOption.NETWORK_NAMESPACE, "nd-no-such-namespace")
                .handler(new ChannelInboundHandlerAdapter())
                .bind(DivertAddress.port(QUEUE))
                .sync());
        assertTrue(e.getMessage().contains("no network namespace nd-no-such-namespace"), e.getMessage());
    }
}
