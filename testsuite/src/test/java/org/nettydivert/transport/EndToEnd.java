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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.linux.NetworkNamespace;
import org.nettydivert.testkit.linux.QueueStats;

/**
 * What the kernel tests share beyond the testkit: plain sockets inside a {@link Host}, the
 * kernel's per-queue counters, waiting for a queue to settle, and the pass-through assertions.
 */
final class EndToEnd {
    private EndToEnd() {}

    /**
     * Diverts every packet of TCP port {@code port}, both ways, to {@code queue}: on loopback each
     * packet passes OUTPUT exactly once.
     */
    static void divertTcpPort(Host host, boolean ipv4, int port, int queue) {
        DivertRule tcp = ipv4 ? DivertRule.tcp().ipv4Only() : DivertRule.tcp().ipv6Only();
        host.divert(tcp.toPort(port).divertTo(queue), tcp.fromPort(port).divertTo(queue));
    }

    /**
     * Runs {@code iptables args...} inside {@code host}, for the rules a {@link DivertRule} does
     * not express (other tables, marks, conntrack, other targets); fails when it fails.
     */
    static String iptables(Host host, String... args) {
        return exec(host, prepend("iptables", args));
    }

    /** Runs {@code ip6tables args...} inside {@code host}; fails when it fails. */
    static String ip6tables(Host host, String... args) {
        return exec(host, prepend("ip6tables", args));
    }

    /** Runs {@code argv} inside {@code host} and returns its output; fails when it fails. */
    static String exec(Host host, String... argv) {
        return host.run(argv).checked();
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /**
     * Binds a channel to {@code queue} whose handler gives every packet read to {@code onPacket},
     * with the context to write it with, and flushes after each read loop.
     */
    static DivertChannel divert(
            Host host, int queue, Bootstrap bootstrap, BiConsumer<ChannelHandlerContext, DivertPacket> onPacket)
            throws InterruptedException {
        return host.bind(
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

    /** A UDP socket bound inside {@code host}, with a large receive buffer and a 5 s timeout. */
    static DatagramSocket udp(Host host, InetAddress address, int port) throws Exception {
        return host.call(() -> {
            DatagramSocket socket = new DatagramSocket(null);
            socket.setReceiveBufferSize(8 << 20);
            socket.bind(new InetSocketAddress(address, port));
            socket.setSoTimeout(5000);
            return socket;
        });
    }

    /** The kernel's counters of NFQUEUE {@code queue} in {@code host}, or null when nothing is bound to it. */
    static QueueStats queueStats(Host host, int queue) {
        return NetworkNamespace.of(host).queueStats(queue);
    }

    /** Waits until the kernel holds no packet of {@code queue}; returns what it holds then. */
    static long waitUntilQueueEmpty(Host host, int queue) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long waiting;
        do {
            waiting = host.waitingForVerdict(queue);
            if (waiting == 0) {
                return 0;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return waiting;
    }

    /** The channel's counters, read on its event loop, so that they are exact. */
    static DivertStats statsOf(DivertChannel channel) throws Exception {
        return channel.eventLoop().submit(channel::stats).get(10, TimeUnit.SECONDS);
    }

    /**
     * Waits until the kernel holds no packet of {@code queue} and the channel has written back
     * every packet it read (or {@code handler} saw a failure, which the caller then reports),
     * then returns the channel's counters. Traffic that has ended may still leave
     * a last packet in flight (the final ACK of a TCP close is sent after both ends have seen
     * the close) and no event says when it has passed, so this polls, within {@code limit}.
     */
    static DivertStats awaitSettled(
            Host host, int queue, DivertChannel channel, WriteBackHandler handler, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        for (; ; ) {
            DivertStats stats = statsOf(channel);
            QueueStats kernel = queueStats(host, queue);
            boolean allWritten = stats.packetsRead() == stats.packetsReinjected();
            if ((allWritten || handler.hasFailure()) && kernel != null && kernel.waiting() == 0) {
                return stats;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(
                        "queue " + queue + " did not settle within " + limit + ": " + stats + ", kernel " + kernel);
            }
            Thread.sleep(20);
        }
    }

    /**
     * The pass-through verdicts: the pipeline saw {@code seenByPipeline} packets, the channel
     * read exactly those and wrote every one back, nothing was dropped or lost on the way, and
     * the kernel holds none of the queue's packets.
     */
    static void assertEveryPacketWrittenBack(DivertStats stats, long seenByPipeline, QueueStats kernel) {
        assertEquals(seenByPipeline, stats.packetsRead(), "packets read are the packets the pipeline saw: " + stats);
        assertEquals(stats.packetsRead(), stats.packetsReinjected(), "every packet read was written back: " + stats);
        assertEquals(0, stats.packetsInjected(), stats.toString());
        assertEquals(0, stats.writesFailed(), stats.toString());
        assertEquals(0, stats.releaseDrops(), stats.toString());
        assertEquals(0, stats.timeoutDrops(), stats.toString());
        assertEquals(0, stats.overflows(), stats.toString());
        assertNotNull(kernel, "the queue is bound");
        assertEquals(0, kernel.waiting(), "nothing waits for a verdict: " + kernel);
        assertEquals(0, kernel.dropped(), "the kernel queue never overflowed: " + kernel);
        assertEquals(0, kernel.userDropped(), "the netlink socket never overflowed: " + kernel);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    /** Feeds the readable bytes of {@code buf} to {@code digest} without moving its indices. */
    static void update(MessageDigest digest, ByteBuf buf) {
        for (ByteBuffer nio : buf.nioBuffers()) {
            digest.update(nio);
        }
    }

    /**
     * Receives a TCP transfer of {@code expected} bytes and completes {@code done} with its SHA-256,
     * or exceptionally when more come, or the connection ends first.
     */
    static class ReceivingDigest extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<byte[]> done;
        private final MessageDigest digest = sha256();
        private final long expected;
        private long received;

        ReceivingDigest(CompletableFuture<byte[]> done, long expected) {
            this.done = done;
            this.expected = expected;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            update(digest, buf);
            received += buf.readableBytes();
            if (received == expected) {
                done.complete(digest.digest());
            } else if (received > expected) {
                done.completeExceptionally(new AssertionError("received " + received + " bytes"));
            }
            passOn(ctx, buf);
        }

        void passOn(ChannelHandlerContext ctx, ByteBuf buf) {
            buf.release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new AssertionError("closed after " + received + " bytes"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }
}
