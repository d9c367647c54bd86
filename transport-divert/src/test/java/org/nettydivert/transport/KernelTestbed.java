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

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.nettydivert.testing.NetworkNamespace;
import org.nettydivert.testing.QueueStats;

/**
 * A private network namespace with a divert event loop inside it: what every NFQUEUE end-to-end
 * test starts from. Closing it closes the channels, stops the loop and removes the namespace.
 */
final class KernelTestbed implements AutoCloseable {
    final NetworkNamespace ns;
    final EventLoopGroup group;
    private final List<DivertChannel> channels = new ArrayList<>();
    private final List<EventLoopGroup> otherGroups = new ArrayList<>();

    /** A namespace and a divert event loop of one thread. */
    KernelTestbed() {
        this(1);
    }

    /** A namespace and a divert event loop group of {@code divertThreads} threads. */
    KernelTestbed(int divertThreads) {
        NetworkNamespace.assumeKernelTestsCanRun();
        ns = NetworkNamespace.create();
        try {
            group = new MultiThreadIoEventLoopGroup(
                    divertThreads, ns.threadFactory("divert"), DivertIoHandler.newFactory());
        } catch (RuntimeException | Error e) {
            // The caller gets no testbed to close, so the namespace would outlive the test.
            try {
                ns.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Binds a channel to {@code queue} whose handler gives every packet read to {@code onPacket},
     * with the context to write it with, and flushes after each read loop.
     */
    DivertChannel divert(int queue, Bootstrap bootstrap, BiConsumer<ChannelHandlerContext, DivertPacket> onPacket)
            throws InterruptedException {
        return bind(
                queue,
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        onPacket.accept(ctx, (DivertPacket) msg);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                },
                bootstrap);
    }

    /** Binds a channel with {@code handler} to queue {@code queue}. */
    DivertChannel bind(int queue, ChannelHandler handler) throws InterruptedException {
        return bind(queue, handler, new Bootstrap());
    }

    DivertChannel bind(int queue, ChannelHandler handler, Bootstrap bootstrap) throws InterruptedException {
        return bind(group, queue, handler, bootstrap);
    }

    /** Binds a channel on {@code loop}, one loop of {@link #group} or the whole of it. */
    DivertChannel bind(EventLoopGroup loop, int queue, ChannelHandler handler, Bootstrap bootstrap)
            throws InterruptedException {
        DivertChannel channel = (DivertChannel) bootstrap
                .group(loop)
                .channel(DivertChannel.class)
                .handler(handler)
                .bind(DivertAddress.port(queue))
                .sync()
                .channel();
        channels.add(channel);
        return channel;
    }

    /**
     * Another event loop group whose threads live in the namespace (for the test's own TCP or UDP
     * channels, which Netty opens on the thread that binds or connects); stopped at close.
     */
    EventLoopGroup group(int threads, String name, IoHandlerFactory factory) {
        EventLoopGroup other = new MultiThreadIoEventLoopGroup(threads, ns.threadFactory(name), factory);
        otherGroups.add(other);
        return other;
    }

    /** A UDP socket bound inside the namespace. */
    DatagramSocket udp(InetAddress address, int port) throws Exception {
        return ns.call(() -> {
            DatagramSocket socket = new DatagramSocket(null);
            socket.setReceiveBufferSize(8 << 20);
            socket.bind(new InetSocketAddress(address, port));
            socket.setSoTimeout(5000);
            return socket;
        });
    }

    /** Receives one datagram's bytes, or null on timeout. */
    static byte[] receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        byte[] data = new byte[packet.getLength()];
        System.arraycopy(packet.getData(), packet.getOffset(), data, 0, data.length);
        return data;
    }

    /** Waits until the kernel holds no packet of {@code queue}; returns what it holds then. */
    long waitUntilQueueEmpty(int queue) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long waiting;
        do {
            QueueStats stats = ns.queueStats(queue);
            waiting = stats == null ? 0 : stats.waiting();
            if (waiting == 0) {
                return 0;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return waiting;
    }

    @Override
    public void close() {
        try {
            for (DivertChannel channel : channels) {
                channel.close().syncUninterruptibly();
            }
        } finally {
            // A channel that failed to close must not leave the loop or the namespace behind.
            stop();
        }
    }

    private void stop() {
        try {
            // The test's own channels go with their groups, before the divert loop that passes their packets.
            for (EventLoopGroup other : otherGroups) {
                other.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            ns.close();
        }
    }
}
