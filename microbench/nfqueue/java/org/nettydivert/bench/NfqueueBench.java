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
package org.nettydivert.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.CountDownLatch;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertChannelOption;
import org.nettydivert.transport.DivertIoHandler;
import org.nettydivert.transport.DivertPacket;

/**
 * The Java side of {@code microbench/nfqueue-bench.sh}: a DivertChannel on one NFQUEUE queue
 * that writes every packet back, flushing once per read loop.
 *
 * <pre>
 * java -cp ... org.nettydivert.bench.NfqueueBench passthrough QUEUE
 * java -cp ... org.nettydivert.bench.NfqueueBench rewrite QUEUE FROM_PORT TO_PORT
 * </pre>
 *
 * <p>{@code rewrite} also changes the UDP destination port FROM to TO in IPv4 packets, patching
 * the UDP checksum incrementally (RFC 1624) by hand on the ByteBuf; it stands in for the codec-ip
 * pipeline until the example module has one. Prints "bound" when the queue is bound, and the
 * channel's counters on SIGTERM. The batch size can be set with {@code -Dbench.batch=N}.
 */
public final class NfqueueBench {
    private NfqueueBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("passthrough") || args[0].equals("rewrite") && args.length == 4)) {
            System.err.println("usage: NfqueueBench passthrough QUEUE | rewrite QUEUE FROM_PORT TO_PORT");
            System.exit(2);
        }
        int queue = Integer.parseInt(args[1]);
        ChannelHandler handler = args[0].equals("passthrough")
                ? new PassThrough()
                : new RewriteUdpPort(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap().group(group).channel(DivertChannel.class).handler(handler);
        Integer batch = Integer.getInteger("bench.batch");
        if (batch != null) {
            bootstrap.option(DivertChannelOption.BATCH_SIZE, batch);
        }
        Channel channel = bootstrap.bind(DivertAddress.port(queue)).sync().channel();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("NfqueueBench " + args[0] + ": " + ((DivertChannel) channel).stats());
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .syncUninterruptibly();
            done.countDown();
        }));
        System.out.println("bound queue " + queue);
        System.out.flush();
        done.await();
    }

    /** (d): every packet goes back as it came; one flush per read loop. */
    @ChannelHandler.Sharable
    static class PassThrough extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** (e): the same, with the UDP destination port FROM rewritten to TO. */
    @ChannelHandler.Sharable
    static final class RewriteUdpPort extends PassThrough {
        private final int from;
        private final int to;

        RewriteUdpPort(int from, int to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf ip = ((DivertPacket) msg).content();
            int at = ip.readerIndex();
            // IPv4, UDP, first fragment (offset 0): the UDP header is at the IHL.
            if ((ip.getUnsignedByte(at) >> 4) == 4
                    && ip.getUnsignedByte(at + 9) == 17
                    && (ip.getUnsignedShort(at + 6) & 0x1FFF) == 0) {
                int udp = at + (ip.getUnsignedByte(at) & 0xF) * 4;
                if (udp + 8 <= ip.writerIndex() && ip.getUnsignedShort(udp + 2) == from) {
                    ip.setShort(udp + 2, to);
                    int checksum = ip.getUnsignedShort(udp + 6);
                    if (checksum != 0) { // 0: the sender computed none
                        ip.setShort(udp + 6, adjust(checksum, from, to));
                    }
                }
            }
            ctx.write(msg);
        }

        /** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit field changed from m to m'. */
        static int adjust(int checksum, int old, int now) {
            int sum = (~checksum & 0xFFFF) + (~old & 0xFFFF) + now;
            sum = (sum & 0xFFFF) + (sum >>> 16);
            sum = (sum & 0xFFFF) + (sum >>> 16);
            int result = ~sum & 0xFFFF;
            return result == 0 ? 0xFFFF : result; // UDP sends a computed 0 as 0xFFFF
        }
    }
}
