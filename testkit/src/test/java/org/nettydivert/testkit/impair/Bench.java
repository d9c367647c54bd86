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
package org.nettydivert.testkit.impair;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * An impairment handler on an {@link EmbeddedChannel} with a virtual clock: packets go in at chosen
 * times, what comes out the other side is recorded with the time it came, and each timer runs at
 * its own deadline (the clock moves from deadline to deadline, as under OfflineReplay).
 */
final class Bench implements AutoCloseable {
    /** A packet that came out, and when (virtual nanoseconds since the bench began). */
    record Out(DivertPacket packet, long nanos) {
        int seq() {
            return Bench.seq(packet);
        }
    }

    final MockTicker ticker = Ticker.newMockTicker();
    final EmbeddedChannel channel;
    final List<Out> out = new ArrayList<>();
    final List<DivertPacket> in = new ArrayList<>();
    /** Messages that came out and are not packets. */
    final List<Object> others = new ArrayList<>();

    private final long start;
    /** Packets fired without a channelReadComplete after them yet. */
    int unflushed;

    Bench(ChannelHandler... handlers) {
        List<ChannelHandler> all = new ArrayList<>(List.of(handlers));
        all.add(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof DivertPacket packet) {
                    out.add(new Out(packet, now()));
                } else {
                    others.add(msg);
                }
                unflushed++;
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                unflushed = 0;
            }
        });
        channel = EmbeddedChannel.builder()
                .ticker(ticker)
                .handlers(all.toArray(ChannelHandler[]::new))
                .build();
        start = ticker.nanoTime();
    }

    long now() {
        return ticker.nanoTime() - start;
    }

    /** Moves the clock to {@code nanos}, running each timer at its deadline on the way. */
    void advanceTo(long nanos) {
        long target = start + nanos;
        while (true) {
            long delay = channel.runScheduledPendingTasks();
            if (delay < 0 || ticker.nanoTime() + delay > target) {
                break;
            }
            ticker.advance(Math.max(delay, 0), TimeUnit.NANOSECONDS);
            if (delay == 0) {
                channel.runScheduledPendingTasks();
            }
        }
        long now = ticker.nanoTime();
        if (target > now) {
            ticker.advance(target - now, TimeUnit.NANOSECONDS);
        }
        channel.runScheduledPendingTasks();
    }

    /** Reads {@code packet} at {@code nanos} (after running the timers due before). */
    void readAt(long nanos, DivertPacket packet) {
        advanceTo(nanos);
        in.add(packet);
        channel.writeInbound(packet);
    }

    /** Runs every timer left. */
    void drain() {
        advanceTo(Long.MAX_VALUE / 4);
    }

    /** Sequence numbers of what came out, in order. */
    List<Integer> seqs() {
        return out.stream().map(Out::seq).toList();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        for (Out o : out) {
            ReferenceCountUtil.release(o.packet);
        }
        others.forEach(ReferenceCountUtil::release);
    }

    // ---- packets

    static final byte[] SOURCE = {10, 0, 0, 1};
    static final byte[] DESTINATION = {10, 0, 0, 2};

    /**
     * A UDP/IPv4 datagram from 10.0.0.1:4000 to 10.0.0.2:{@code port}, {@code payloadLength} bytes
     * of payload (at least 4) starting with {@code seq}, as if read outbound on divert port 7 with
     * tag {@code seq}.
     */
    static DivertPacket udp(int seq, int port, int payloadLength) {
        return udp(seq, port, payloadLength, false);
    }

    /**
     * {@link #udp(int, int, int)} in a direct buffer, which the (paranoid) leak detector tracks:
     * for the tests of reference counts. The statistical tests use heap buffers, which it does not
     * track: tens of thousands of tracked buffers, each access recorded, would not fit the heap.
     */
    static DivertPacket udpTracked(int seq) {
        return udp(seq, 9000, 100, true);
    }

    private static DivertPacket udp(int seq, int port, int payloadLength, boolean direct) {
        int length = 28 + payloadLength;
        ByteBuf ip = direct ? Unpooled.directBuffer(length) : Unpooled.buffer(length);
        ip.writeByte(0x45).writeByte(0).writeShort(length).writeShort(seq).writeShort(0x4000);
        ip.writeByte(64).writeByte(17).writeShort(0).writeBytes(SOURCE).writeBytes(DESTINATION);
        // A checksum field of 0 would mean "no checksum": any other value is replaced.
        ip.writeShort(4000).writeShort(port).writeShort(8 + payloadLength).writeShort(0xFFFF);
        ip.writeInt(seq);
        for (int i = 4; i < payloadLength; i++) {
            ip.writeByte(i);
        }
        IpHeaders.recomputeTransportChecksum(ip);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ip.getUnsignedShort(i);
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        ip.setShort(10, ~sum & 0xFFFF);
        return new DivertPacket(
                ip, new DivertAddress(7, DivertAddress.Direction.OUTBOUND, "lo", null, seq & 0xFFFF_FFFFL, 0));
    }

    static DivertPacket udp(int seq) {
        return udp(seq, 9000, 100);
    }

    static int seq(DivertPacket packet) {
        ByteBuf ip = packet.content();
        return ip.getInt(ip.readerIndex() + 28);
    }

    static long ms(double millis) {
        return Math.round(millis * 1_000_000);
    }
}
