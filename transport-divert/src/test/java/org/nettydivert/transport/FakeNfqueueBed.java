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
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.nettydivert.transport.nfqueue.NfqueueSocket;

/**
 * A real {@link DivertChannel} on a real {@link DivertIoHandler} event loop, with a {@link
 * NfqueueSocket} over a {@link FakeNfqueueKernel}: the NFQUEUE path end to end, promises and
 * counters included, without root. By default the channel's handler keeps every packet it reads
 * in {@link #read} for the test to write or release.
 */
final class FakeNfqueueBed implements AutoCloseable {
    static final int QUEUE = 4242;

    final FakeNfqueueKernel kernel = new FakeNfqueueKernel(QUEUE);
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
    /** Packets the handler kept, in the order read. */
    final LinkedBlockingQueue<DivertPacket> read = new LinkedBlockingQueue<>();
    /** What reached the handler's exceptionCaught. */
    final List<Throwable> exceptions = Collections.synchronizedList(new ArrayList<>());

    DivertChannel channel;

    /** Binds a channel that keeps what it reads. */
    DivertChannel bind() throws InterruptedException {
        return bind(new Bootstrap(), (ctx, packet) -> read.add(packet));
    }

    /** Binds a channel configured by {@code bootstrap} whose handler gives each packet to {@code onRead}. */
    DivertChannel bind(Bootstrap bootstrap, BiConsumer<ChannelHandlerContext, DivertPacket> onRead)
            throws InterruptedException {
        return bind(bootstrap, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                onRead.accept(ctx, (DivertPacket) msg);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                exceptions.add(cause);
            }
        });
    }

    DivertChannel bind(Bootstrap bootstrap, io.netty.channel.ChannelHandler handler) throws InterruptedException {
        channel = (DivertChannel) bootstrap
                .group(group)
                .channelFactory(() -> new DivertChannel(
                        (ch, address) -> new NfqueueSocket(ch, address.port(), kernel, kernel.injector())))
                .handler(handler)
                .bind(DivertAddress.port(QUEUE))
                .sync()
                .channel();
        return channel;
    }

    /** Queues {@code packets} in the fake kernel and waits until the handler has kept them all. */
    List<DivertPacket> deliver(byte[]... packets) throws InterruptedException {
        for (byte[] p : packets) {
            kernel.queue(p);
        }
        return take(packets.length);
    }

    /** Waits for the next {@code count} packets the handler keeps. */
    List<DivertPacket> take(int count) throws InterruptedException {
        List<DivertPacket> got = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            DivertPacket p = read.poll(5, TimeUnit.SECONDS);
            if (p == null) {
                throw new AssertionError("only " + i + " of " + count + " packets were read");
            }
            got.add(p);
        }
        return got;
    }

    /** Runs {@code task} on the channel's event loop and returns its result. */
    <T> T onLoop(Callable<T> task) throws Exception {
        return channel.eventLoop().submit(task).get(5, TimeUnit.SECONDS);
    }

    /** Writes {@code packets} and flushes once, on the event loop; returns their futures. */
    ChannelFuture[] writeInOneFlush(DivertPacket... packets) throws Exception {
        return onLoop(() -> {
            ChannelFuture[] futures = new ChannelFuture[packets.length];
            for (int i = 0; i < packets.length; i++) {
                futures[i] = channel.write(packets[i]);
            }
            channel.flush();
            return futures;
        });
    }

    /** Waits for {@code future} and returns its failure, or null if it succeeded. */
    static Throwable outcome(ChannelFuture future) throws InterruptedException {
        if (!future.await(5, TimeUnit.SECONDS)) {
            throw new AssertionError("the write did not complete: " + future);
        }
        return future.cause();
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close().syncUninterruptibly();
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            for (DivertPacket p; (p = read.poll()) != null; ) {
                ReferenceCountUtil.release(p);
            }
            kernel.release();
        }
    }

    // ---- packets

    /** An IPv4 UDP datagram 10.0.0.1:12345 -> 10.0.0.2:9999 with {@code size} payload bytes, the first four {@code seq}. */
    static byte[] udp4(int seq, int size) {
        ByteBuffer b = ByteBuffer.allocate(28 + Math.max(size, 4));
        b.put((byte) 0x45).put((byte) 0).putShort((short) b.capacity()).putShort((short) seq);
        b.putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0);
        b.put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        b.putShort((short) 12345).putShort((short) 9999).putShort((short) (8 + Math.max(size, 4)));
        b.putShort((short) 0);
        b.putInt(seq);
        for (int i = 4; i < size; i++) {
            b.put((byte) (seq * 31 + i));
        }
        byte[] packet = b.array();
        int checksum = ipv4HeaderChecksum(packet);
        packet[10] = (byte) (checksum >>> 8);
        packet[11] = (byte) checksum;
        return packet;
    }

    /** An IPv6 UDP datagram 2001:db8::1 -> 2001:db8::2 with {@code size} payload bytes. */
    static byte[] udp6(int seq, int size) {
        ByteBuffer b = ByteBuffer.allocate(48 + Math.max(size, 4));
        b.putInt(0x60000000)
                .putShort((short) (8 + Math.max(size, 4)))
                .put((byte) 17)
                .put((byte) 64);
        b.putLong(0x20010db800000000L).putLong(1).putLong(0x20010db800000000L).putLong(2);
        b.putShort((short) 12345).putShort((short) 9999).putShort((short) (8 + Math.max(size, 4)));
        b.putShort((short) 0x1234).putInt(seq);
        return b.array();
    }

    static int ipv4HeaderChecksum(byte[] packet) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            if (i != 10) {
                sum += (packet[i] & 0xFF) << 8 | packet[i + 1] & 0xFF;
            }
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }
}
