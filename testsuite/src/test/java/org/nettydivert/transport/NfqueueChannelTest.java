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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.transport.nfqueue.NfqueueSocket;
import org.nettydivert.transport.unix.IpPackets;

/**
 * The divert contract on Linux, end to end: real datagrams through iptables NFQUEUE rules and a
 * DivertChannel, each test in a network namespace of its own.
 */
@IsolatedNetwork
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NfqueueChannelTest {
    private static final int QUEUE = 7;
    private static final int PORT = 9999;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Host host;

    @BeforeEach
    void setUp(TestNetwork network) {
        host = network.host();
    }

    /** A channel whose handler is given every packet read and the context to write it with. */
    private DivertChannel divert(BiConsumer<ChannelHandlerContext, DivertPacket> onPacket) throws Exception {
        return EndToEnd.divert(host, QUEUE, new Bootstrap(), onPacket);
    }

    /** IPv4 UDP to PORT, leaving the host, to QUEUE (the rule leaves the channel's injected packets alone). */
    private void divertUdpOutput() {
        host.divert(DivertRule.udp().toPort(PORT).ipv4Only().divertTo(QUEUE));
    }

    /** A rule in {@code table}/{@code chain} that sends UDP to PORT, if it {@code matches}, to {@code queue}. */
    private void divertUdp(String table, String chain, int queue, String... matches) {
        List<String> rule =
                new ArrayList<>(List.of("-t", table, "-A", chain, "-p", "udp", "--dport", String.valueOf(PORT)));
        rule.addAll(List.of(matches));
        rule.addAll(List.of("-j", "NFQUEUE", "--queue-num", String.valueOf(queue)));
        EndToEnd.iptables(host, rule.toArray(new String[0]));
    }

    private static byte[] datagram(int seq, Random random) {
        byte[] data = new byte[8 + random.nextInt(1400)];
        random.nextBytes(data);
        ByteBuffer.wrap(data).putInt(seq).putInt(data.length);
        return data;
    }

    /** {@code count} datagrams of random sizes and bytes, numbered from 0. */
    private static byte[][] datagrams(int count, long seed) {
        Random random = new Random(seed);
        byte[][] sent = new byte[count][];
        for (int i = 0; i < count; i++) {
            sent[i] = datagram(i, random);
        }
        return sent;
    }

    /** Sends {@code count} datagrams in windows and returns what arrived, indexed by sequence number. */
    private byte[][] sendAndReceive(int count, byte[][] sent, int expected) throws Exception {
        byte[][] received = new byte[count][];
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT);
                DatagramSocket sender = EndToEnd.udp(host, LOOPBACK, 0)) {
            receiver.setSoTimeout(expected == count ? 5000 : 1000);
            int got = 0;
            int window = 256;
            for (int start = 0; start < count; start += window) {
                int end = Math.min(count, start + window);
                for (int i = start; i < end; i++) {
                    sender.send(new DatagramPacket(sent[i], sent[i].length, LOOPBACK, PORT));
                }
                int wanted = (int) Math.min(expected, (long) end * expected / count);
                while (got < wanted) {
                    byte[] data = Datagrams.receive(receiver);
                    if (data == null) {
                        break;
                    }
                    received[ByteBuffer.wrap(data).getInt()] = data;
                    got++;
                }
            }
            // Anything beyond what we expect would show up now.
            receiver.setSoTimeout(200);
            for (byte[] data; (data = Datagrams.receive(receiver)) != null; ) {
                received[ByteBuffer.wrap(data).getInt()] = data;
            }
        }
        return received;
    }

    @Test
    void everyDatagramWrittenBackArrivesUnchanged() throws Exception {
        divertUdpOutput();
        ConcurrentLinkedQueue<DivertAddress> addresses = new ConcurrentLinkedQueue<>();
        DivertChannel channel = divert((ctx, packet) -> {
            if (addresses.size() < 100) {
                addresses.add(packet.address());
            }
            ctx.write(packet);
        });
        int count = 10_000;
        byte[][] sent = datagrams(count, 1);
        byte[][] received = sendAndReceive(count, sent, count);
        for (int i = 0; i < count; i++) {
            assertArrayEquals(sent[i], received[i], "datagram " + i);
        }
        for (DivertAddress address : addresses) {
            assertEquals(DivertAddress.Direction.OUTBOUND, address.direction());
            assertEquals("lo", address.interfaceName());
            assertEquals(QUEUE, address.port());
            assertTrue(address.hasTag());
        }
        DivertStats stats = channel.stats();
        assertEquals(count, stats.packetsRead());
        assertEquals(count, stats.packetsReinjected());
        assertEquals(count, stats.packetsReinjectedUnchanged(), "none was sent back with its bytes");
        assertTrue(((NfqueueSocket) channel.socket()).batchVerdicts() > 0, "runs were accepted with batch verdicts");
        assertEquals(0, stats.releaseDrops() + stats.timeoutDrops() + stats.writesFailed());
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE));
    }

    @Test
    void packetsHeldWhileLaterOnesAreWrittenAreStillDroppedWhenReleased() throws Exception {
        // Later packets are accepted while every fifth waits: no verdict for them (a batch
        // verdict accepts every older id) may take the held ones along.
        divertUdpOutput();
        AtomicInteger seen = new AtomicInteger();
        List<DivertPacket> held = new ArrayList<>();
        DivertChannel channel = host.bind(QUEUE, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (seen.getAndIncrement() % 5 == 0) {
                    held.add((DivertPacket) msg);
                } else {
                    ctx.write(msg);
                }
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
                if (held.size() >= 8) {
                    List<DivertPacket> late = new ArrayList<>(held);
                    held.clear();
                    ctx.executor().schedule(() -> late.forEach(DivertPacket::release), 20, TimeUnit.MILLISECONDS);
                }
            }
        });
        int count = 2000;
        byte[][] sent = datagrams(count, 6);
        byte[][] received = sendAndReceive(count, sent, count * 4 / 5);
        channel.eventLoop()
                .submit(() -> {
                    held.forEach(DivertPacket::release);
                    held.clear();
                })
                .sync();
        for (int i = 0; i < count; i++) {
            if (i % 5 == 0) {
                assertNull(received[i], "datagram " + i + " was held, then released, so dropped");
            } else {
                assertArrayEquals(sent[i], received[i], "datagram " + i + " was written back");
            }
        }
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE), "every packet got its verdict");
        assertEquals(count / 5, channel.stats().releaseDrops());
        assertEquals(count * 4 / 5, channel.stats().packetsReinjectedUnchanged());
    }

    @Test
    void aMarkChangedOnAnUnchangedPacketReachesTheKernelAndAnUnchangedOneKeepsItsOwn() throws Exception {
        // mangle OUTPUT marks the datagrams 5 before filter OUTPUT queues them to QUEUE; the
        // channel there writes even ones back with mark 0x77. mangle POSTROUTING queues them again,
        // to a second channel, which sees the mark each one left with.
        int second = QUEUE + 1;
        String port = String.valueOf(PORT);
        EndToEnd.iptables(
                host, "-t", "mangle", "-A", "OUTPUT", "-p", "udp", "--dport", port, "-j", "MARK", "--set-mark", "5");
        divertUdpOutput();
        divertUdp("mangle", "POSTROUTING", second);
        ConcurrentLinkedQueue<String> firstMarks = new ConcurrentLinkedQueue<>();
        DivertChannel first = divert((ctx, packet) -> {
            int seq = packet.content().getInt(packet.content().readerIndex() + 28);
            firstMarks.add(seq + ":" + packet.address().mark());
            ctx.write(
                    seq % 2 == 0
                            ? new DivertPacket(
                                    packet.content(), packet.address().withMark(0x77))
                            : packet);
        });
        ConcurrentLinkedQueue<String> secondMarks = new ConcurrentLinkedQueue<>();
        DivertChannel last = host.bind(second, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                DivertPacket packet = (DivertPacket) msg;
                secondMarks.add(packet.content().getInt(packet.content().readerIndex() + 28) + ":"
                        + packet.address().mark());
                ctx.write(packet);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
            }
        });
        int count = 200;
        byte[][] sent = datagrams(count, 7);
        byte[][] received = sendAndReceive(count, sent, count);
        for (int i = 0; i < count; i++) {
            assertArrayEquals(sent[i], received[i], "datagram " + i);
            assertTrue(firstMarks.contains(i + ":5"), "datagram " + i + " was marked 5 before the first queue");
            String mark = i % 2 == 0 ? i + ":" + 0x77 : i + ":5";
            assertTrue(secondMarks.contains(mark), "datagram " + i + " left the first channel as " + mark);
        }
        assertEquals(count, first.stats().packetsReinjectedUnchanged());
        assertEquals(count, last.stats().packetsReinjectedUnchanged());
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE));
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, second));
    }

    @Test
    void packetsDivertedOnInputAreInbound() throws Exception {
        host.divert(DivertRule.udp().toPort(PORT).ipv4Only().inbound().divertTo(QUEUE));
        CompletableFuture<DivertAddress> first = new CompletableFuture<>();
        divert((ctx, packet) -> {
            first.complete(packet.address());
            ctx.write(packet);
        });
        byte[][] sent = {datagram(0, new Random(2))};
        byte[][] received = sendAndReceive(1, sent, 1);
        assertArrayEquals(sent[0], received[0]);
        DivertAddress address = first.get(5, TimeUnit.SECONDS);
        assertEquals(DivertAddress.Direction.INBOUND, address.direction());
        assertEquals("lo", address.interfaceName());
        assertEquals(LOOPBACK, address.interfaceAddress());
    }

    @Test
    void aPacketReleasedWithoutBeingWrittenIsDropped() throws Exception {
        divertUdpOutput();
        AtomicInteger seen = new AtomicInteger();
        DivertChannel channel = divert((ctx, packet) -> {
            if (seen.getAndIncrement() % 2 == 1) {
                packet.release();
            } else {
                ctx.write(packet);
            }
        });
        int count = 2000;
        byte[][] sent = datagrams(count, 3);
        byte[][] received = sendAndReceive(count, sent, count / 2);
        for (int i = 0; i < count; i++) {
            if (i % 2 == 0) {
                assertArrayEquals(sent[i], received[i], "datagram " + i + " was written back");
            } else {
                assertNull(received[i], "datagram " + i + " was released, so dropped");
            }
        }
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE), "every packet got its verdict");
        assertEquals(count / 2, channel.stats().releaseDrops());
    }

    @Test
    void aRewrittenPayloadReachesTheReceiver() throws Exception {
        divertUdpOutput();
        DivertChannel channel = divert((ctx, packet) -> {
            ByteBuf ip = packet.content();
            int udp = ip.readerIndex() + (ip.getByte(ip.readerIndex()) & 0xF) * 4;
            // Upper-case the payload after the sequence number and length, then fix the checksum.
            for (int i = udp + 8 + 8; i < ip.writerIndex(); i++) {
                byte b = ip.getByte(i);
                if (b >= 'a' && b <= 'z') {
                    ip.setByte(i, b - 32);
                }
            }
            IpPackets.completeTransportChecksum(ip, ip.readerIndex(), ip.readableBytes());
            ctx.write(packet);
        });
        byte[] payload = "0123456701234567hello, diverted world".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer.wrap(payload).putInt(0).putInt(payload.length);
        byte[][] received = sendAndReceive(1, new byte[][] {payload}, 1);
        assertNotNull(received[0], "the rewritten datagram arrived (its checksum is right)");
        assertEquals(0, channel.stats().packetsReinjectedUnchanged(), "it went back with its new bytes");
        assertEquals(
                "HELLO, DIVERTED WORLD",
                new String(received[0], 16, received[0].length - 16, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void aPacketInjectedOutboundArrivesAndIsNotDivertedAgain() throws Exception {
        // Injected packets carry the channel's mark, which the rule leaves alone (every DivertRule does).
        divertUdpOutput();
        DivertChannel channel = divert((ctx, packet) -> ctx.write(packet));
        byte[] payload = "injected".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT)) {
            ByteBuf packet = udpIpv4(4321, PORT, payload);
            channel.writeAndFlush(new DivertPacket(packet, DivertAddress.outbound()))
                    .sync();
            DatagramPacket got = new DatagramPacket(new byte[100], 100);
            receiver.receive(got);
            assertEquals(4321, got.getPort());
            assertEquals(
                    "injected",
                    new String(got.getData(), 0, got.getLength(), java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertEquals(0, channel.stats().packetsRead(), "the injected packet was not diverted again");
        assertEquals(1, channel.stats().packetsInjected());
    }

    @Test
    void aPacketInjectedOutboundOverIpv6Arrives() throws Exception {
        DivertChannel channel = divert((ctx, packet) -> ctx.write(packet));
        InetAddress v6 = Inet6Address.getByName("::1");
        byte[] payload = "six".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (DatagramSocket receiver = EndToEnd.udp(host, v6, PORT)) {
            channel.writeAndFlush(new DivertPacket(udpIpv6(4321, PORT, payload), DivertAddress.outbound()))
                    .sync();
            byte[] got = Datagrams.receive(receiver);
            assertArrayEquals(payload, got);
        }
    }

    @Test
    void injectingInboundOnLinuxFailsTheWriteAndSaysWhy() throws Exception {
        DivertChannel channel = divert((ctx, packet) -> ctx.write(packet));
        ChannelFuture write =
                channel.writeAndFlush(new DivertPacket(udpIpv4(1, 2, new byte[4]), DivertAddress.inbound("lo")));
        assertFalse(write.await().isSuccess());
        assertInstanceOf(UnsupportedOperationException.class, write.cause());
        assertTrue(
                write.cause().getMessage().contains("Linux cannot inject inbound packets"),
                write.cause().getMessage());
        assertTrue(channel.isOpen());
    }

    @Test
    void aMalformedPacketWrittenBackFailsItsPromiseWithEinvalAndTheNextOnesPass() throws Exception {
        divertUdpOutput();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        AtomicInteger seen = new AtomicInteger();
        DivertChannel channel = divert((ctx, packet) -> {
            if (seen.getAndIncrement() == 0) {
                ByteBuf ip = packet.content();
                ip.setShort(ip.readerIndex() + 2, ip.readableBytes() + 100); // total length past the end
                ctx.write(packet).addListener(f -> failure.complete(f.cause()));
            } else {
                ctx.write(packet);
            }
        });
        int count = 20;
        byte[][] sent = datagrams(count, 4);
        byte[][] received = sendAndReceive(count, sent, count - 1);
        Throwable cause = failure.get(5, TimeUnit.SECONDS);
        DivertIoException e = assertInstanceOf(DivertIoException.class, cause);
        assertEquals("EINVAL", e.errnoName());
        assertTrue(e.getMessage().contains("total length"), e.getMessage());
        assertNull(received[0]);
        for (int i = 1; i < count; i++) {
            assertArrayEquals(sent[i], received[i], "datagram " + i);
        }
        assertTrue(channel.isOpen());
        assertEquals(1, channel.stats().writesFailed());
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE), "the refused packet was dropped");
    }

    @Test
    void aPacketHeldPastTheVerdictTimeoutIsDroppedAndCannotBeWrittenLater() throws Exception {
        divertUdpOutput();
        CompletableFuture<DivertPacket> held = new CompletableFuture<>();
        DivertChannel channel = host.bind(
                QUEUE,
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        held.complete((DivertPacket) msg);
                    }
                },
                new Bootstrap().option(DivertChannelOption.VERDICT_TIMEOUT_MILLIS, 200));
        byte[][] received = sendAndReceive(1, new byte[][] {datagram(0, new Random(5))}, 0);
        assertNull(received[0]);
        DivertPacket packet = held.get(5, TimeUnit.SECONDS);
        try {
            assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, QUEUE), "the kernel no longer holds it");
            assertEquals(1, channel.stats().timeoutDrops());
            ChannelFuture late = channel.writeAndFlush(packet.retain()).await();
            DivertIoException e = assertInstanceOf(DivertIoException.class, late.cause());
            assertEquals("ENOENT", e.errnoName());
        } finally {
            ReferenceCountUtil.release(packet);
        }
    }

    // ---- crafted packets

    private static ByteBuf udpIpv4(int sourcePort, int destinationPort, byte[] payload) {
        int length = 20 + 8 + payload.length;
        ByteBuf b = Unpooled.directBuffer(length);
        b.writeByte(0x45).writeByte(0).writeShort(length).writeShort(0x1234).writeShort(0x4000);
        b.writeByte(64).writeByte(IpPackets.PROTO_UDP).writeShort(0);
        b.writeBytes(LOOPBACK.getAddress()).writeBytes(LOOPBACK.getAddress());
        b.writeShort(sourcePort)
                .writeShort(destinationPort)
                .writeShort(8 + payload.length)
                .writeShort(0);
        b.writeBytes(payload);
        IpPackets.updateIpv4HeaderChecksum(b, 0);
        IpPackets.completeTransportChecksum(b, 0, length);
        return b;
    }

    private static ByteBuf udpIpv6(int sourcePort, int destinationPort, byte[] payload) throws Exception {
        int length = 40 + 8 + payload.length;
        byte[] loopback = Inet6Address.getByName("::1").getAddress();
        ByteBuf b = Unpooled.directBuffer(length);
        b.writeInt(0x6000_0000)
                .writeShort(8 + payload.length)
                .writeByte(IpPackets.PROTO_UDP)
                .writeByte(64);
        b.writeBytes(loopback).writeBytes(loopback);
        b.writeShort(sourcePort)
                .writeShort(destinationPort)
                .writeShort(8 + payload.length)
                .writeShort(0);
        b.writeBytes(payload);
        IpPackets.completeTransportChecksum(b, 0, length);
        return b;
    }
}
