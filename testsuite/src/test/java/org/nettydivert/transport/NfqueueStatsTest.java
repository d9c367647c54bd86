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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.testkit.linux.QueueStats;

/**
 * What {@link DivertStats} counts, on the real kernel: each test diverts UDP to a queue in a
 * network namespace of its own and checks the channel's counters against what arrived and
 * against the kernel's own counters in {@code /proc/net/netfilter/nfnetlink_queue}.
 */
@IsolatedNetwork
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NfqueueStatsTest {
    private static final int QUEUE = 7;
    private static final int PORT = 9999;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Host host;

    @BeforeEach
    void setUp(TestNetwork network) {
        host = network.host();
        host.divert(DivertRule.udp().toPort(PORT).ipv4Only().divertTo(QUEUE));
    }

    private DivertChannel bind(Bootstrap bootstrap, ChannelHandler handler) throws Exception {
        return host.bind(QUEUE, handler, bootstrap);
    }

    private DivertChannel divert(Bootstrap bootstrap, BiConsumer<ChannelHandlerContext, DivertPacket> onPacket)
            throws Exception {
        return EndToEnd.divert(host, QUEUE, bootstrap, onPacket);
    }

    /** Sends {@code count} datagrams of {@code size} bytes, the first four bytes their number. */
    private byte[][] send(int count, int size) throws Exception {
        byte[][] sent = new byte[count][];
        Random random = new Random(count * 31L + size);
        try (DatagramSocket sender = EndToEnd.udp(host, LOOPBACK, 0)) {
            sender.setSendBufferSize(4 << 20);
            for (int i = 0; i < count; i++) {
                sent[i] = new byte[size];
                random.nextBytes(sent[i]);
                sent[i][0] = (byte) (i >>> 24);
                sent[i][1] = (byte) (i >>> 16);
                sent[i][2] = (byte) (i >>> 8);
                sent[i][3] = (byte) i;
                sender.send(new DatagramPacket(sent[i], size, LOOPBACK, PORT));
            }
        }
        return sent;
    }

    private static int number(byte[] data) {
        return (data[0] & 0xFF) << 24 | (data[1] & 0xFF) << 16 | (data[2] & 0xFF) << 8 | data[3] & 0xFF;
    }

    /** What {@code receiver} gets within {@code millis} of silence, by datagram number. */
    private static List<byte[]> drain(DatagramSocket receiver, int millis) throws Exception {
        receiver.setSoTimeout(millis);
        List<byte[]> got = new ArrayList<>();
        for (byte[] data; (data = Datagrams.receive(receiver)) != null; ) {
            got.add(data);
        }
        return got;
    }

    @Test
    void aPacketWrittenTwiceInOneFlushFailsTheSecondWriteAndIsCountedOnce() throws Exception {
        ConcurrentLinkedQueue<ChannelFuture[]> writes = new ConcurrentLinkedQueue<>();
        DivertChannel channel = divert(new Bootstrap(), (ctx, packet) -> {
            packet.retain();
            writes.add(new ChannelFuture[] {ctx.write(packet), ctx.write(packet)});
        });
        int count = 100;
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT)) {
            byte[][] sent = send(count, 200);
            List<byte[]> got = drain(receiver, 1000);
            assertEquals(count, got.size(), "each datagram arrives once");
            for (byte[] data : got) {
                assertArrayEquals(sent[number(data)], data);
            }
        }
        assertEquals(count, writes.size());
        for (ChannelFuture[] pair : writes) {
            assertTrue(pair[0].await(5, TimeUnit.SECONDS) && pair[0].isSuccess(), "the first write: " + pair[0]);
            assertTrue(pair[1].await(5, TimeUnit.SECONDS));
            DivertIoException e = assertInstanceOf(DivertIoException.class, pair[1].cause());
            assertEquals("ENOENT", e.errnoName());
            assertTrue(e.getMessage().contains("no verdict pending"), e.getMessage());
        }
        DivertStats stats = channel.stats();
        assertEquals(count, stats.packetsRead(), stats.toString());
        assertEquals(count, stats.packetsReinjected(), stats.toString());
        assertEquals(count, stats.writesFailed(), stats.toString());
        assertEquals(0, stats.releaseDrops() + stats.timeoutDrops(), stats.toString());
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE));
    }

    @Test
    void packetsTheKernelDroppedForAFullQueueAreCountedAsTheKernelCountsThem() throws Exception {
        ConcurrentLinkedQueue<DivertPacket> held = new ConcurrentLinkedQueue<>();
        int maxlen = 10;
        DivertChannel channel = bind(
                new Bootstrap().option(DivertChannelOption.QUEUE_MAXLEN, maxlen), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        held.add((DivertPacket) msg); // held: the queue stays full
                    }
                });
        try {
            int count = 50;
            send(count, 100);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (held.size() < maxlen && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            DivertStats stats = channel.stats();
            QueueStats kernel = EndToEnd.queueStats(host, QUEUE);
            assertNotNull(kernel);
            assertEquals(count - maxlen, kernel.dropped(), "the kernel's own count");
            assertEquals(kernel.dropped(), stats.kernelQueueDrops(), stats.toString());
            assertEquals(kernel.userDropped(), stats.kernelSocketDrops(), stats.toString());
            assertEquals(maxlen, stats.packetsRead(), stats.toString());
        } finally {
            held.forEach(ReferenceCountUtil::release);
        }
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE));
        DivertStats after = channel.stats();
        assertEquals(maxlen, after.releaseDrops(), after.toString());
        channel.close().sync();
        assertEquals(40, channel.stats().kernelQueueDrops(), "the last values stay after close");
    }

    @Test
    void packetsTheKernelDroppedForAFullSocketBufferAreCountedAsTheKernelCountsThem() throws Exception {
        // Not reading, with a small receive buffer: the kernel cannot hand the packets over.
        DivertChannel channel = divert(
                new Bootstrap().option(ChannelOption.AUTO_READ, false).option(ChannelOption.SO_RCVBUF, 4096),
                ChannelHandlerContext::write);
        send(200, 1000);
        QueueStats kernel = EndToEnd.queueStats(host, QUEUE);
        assertNotNull(kernel);
        assertTrue(kernel.userDropped() > 0, "the socket buffer overflowed: " + kernel);
        DivertStats stats = channel.stats();
        assertEquals(kernel.userDropped(), stats.kernelSocketDrops(), stats.toString());
        assertEquals(0, stats.kernelQueueDrops(), stats.toString());
        channel.config().setAutoRead(true);
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE), "what reached the socket is answered");
        stats = channel.stats();
        assertEquals(200 - kernel.userDropped(), stats.packetsReinjected(), stats.toString());
        assertTrue(stats.overflows() > 0, "the read heard of it too (ENOBUFS): " + stats);
    }

    @Test
    void aPacketNoHandlerTakesIsDroppedCountedAndLoggedOnce() throws Exception {
        Assumptions.assumeTrue(
                InternalLoggerFactory.getDefaultFactory() instanceof JdkLoggerFactory,
                "Netty logs through " + InternalLoggerFactory.getDefaultFactory() + ", not java.util.logging");
        Logger logger = Logger.getLogger(DivertChannel.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (records) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(capture);
        try {
            // A handler that passes everything on, as one for another type would.
            DivertChannel channel = bind(new Bootstrap(), new ChannelInboundHandlerAdapter());
            int count = 20;
            try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT)) {
                send(count, 100);
                assertEquals(0, drain(receiver, 500).size(), "an unhandled packet is dropped");
            }
            assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE));
            DivertStats stats = channel.stats();
            assertEquals(count, stats.packetsUnhandled(), stats.toString());
            assertEquals(count, stats.releaseDrops(), stats.toString());
            synchronized (records) {
                List<LogRecord> warnings = records.stream()
                        .filter(r -> r.getLevel() == Level.WARNING)
                        .toList();
                assertEquals(1, warnings.size(), "one line for the first packet only");
                String message = warnings.get(0).getMessage();
                assertTrue(message.contains(DivertPacket.class.getName()), message);
                assertTrue(message.contains("packetsUnhandled"), message);
            }
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void aTruncatedPacketSaysSoPassesWholeWhenUnchangedAndCannotBeWrittenChanged() throws Exception {
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<ChannelFuture> writes = new ConcurrentLinkedQueue<>();
        int maxPacketSize = 1000;
        DivertChannel channel =
                divert(new Bootstrap().option(DivertChannelOption.MAX_PACKET_SIZE, maxPacketSize), (ctx, packet) -> {
                    seen.add(packet.isTruncated() + " " + packet.originalLength() + " "
                            + packet.content().readableBytes());
                    if (seen.size() == 2) {
                        packet.content().setByte(packet.content().readerIndex() + 40, 0x55); // changed
                    }
                    writes.add(ctx.write(packet));
                });
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT)) {
            byte[][] sent = send(2, 2000);
            List<byte[]> got = drain(receiver, 1000);
            assertEquals(1, got.size(), "the unchanged one arrives, the changed one is dropped");
            assertArrayEquals(sent[0], got.get(0), "whole, as sent");
        }
        // truncated, the whole IPv4 packet's length (20 + 8 + 2000), the bytes we got
        assertEquals(List.of("true 2028 1000", "true 2028 1000"), new ArrayList<>(seen));
        ChannelFuture[] futures = writes.toArray(new ChannelFuture[0]);
        assertTrue(futures[0].await(5, TimeUnit.SECONDS) && futures[0].isSuccess(), String.valueOf(futures[0].cause()));
        assertTrue(futures[1].await(5, TimeUnit.SECONDS));
        DivertIoException e = assertInstanceOf(DivertIoException.class, futures[1].cause());
        assertEquals("EINVAL", e.errnoName());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE));
        DivertStats stats = channel.stats();
        assertEquals(2, stats.packetsTruncated(), stats.toString());
        assertEquals(1, stats.packetsReinjected(), stats.toString());
        assertEquals(1, stats.releaseDrops(), stats.toString());
    }
}
