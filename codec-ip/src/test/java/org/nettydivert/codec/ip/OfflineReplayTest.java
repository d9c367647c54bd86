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
package org.nettydivert.codec.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertAddress.Direction;
import org.nettydivert.transport.DivertPacket;

class OfflineReplayTest {
    @TempDir
    Path tmp;

    private static final List<byte[]> INPUT = Captures.datagrams(Captures.ETHERNET);

    /** Drops TCP to or from port 8080, moves UDP to port 53, writes everything else back. */
    private static final class ToyFirewall extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            IpPacket p = (IpPacket) msg;
            if (p.tcp() != null && (p.tcp().destinationPort() == 8080 || p.tcp().sourcePort() == 8080)) {
                p.release();
                return;
            }
            if (p.udp() != null) {
                p.setDestinationPort(53);
            }
            ctx.writeAndFlush(p);
        }
    }

    private static long count(java.util.function.Predicate<IpPacket> which) {
        long n = 0;
        for (byte[] d : INPUT) {
            IpPacket p = IpPacket.decode(TestPackets.divert(d));
            n += which.test(p) ? 1 : 0;
            p.release();
        }
        return n;
    }

    @Test
    void countsWhatThePipelineWritesAndDrops() throws IOException {
        Path out = tmp.resolve("out.pcap");
        OfflineReplay.Result result = OfflineReplay.builder()
                .input(Captures.path(Captures.ETHERNET))
                .output(out)
                .build()
                .run(new IpPacketCodec(), new ToyFirewall());
        long port8080 = count(p -> p.sourcePort() == 8080 || p.destinationPort() == 8080);
        assertEquals(INPUT.size(), result.read());
        assertEquals(port8080, result.dropped());
        assertEquals(INPUT.size() - port8080, result.reinjected());
        assertEquals(0, result.injected());
        assertEquals(0, result.unhandled());
        assertEquals(0, result.exceptions());

        List<byte[]> written = Captures.datagramsOf(out);
        assertEquals(result.written(), written.size());
        long udpHeaders = 0;
        for (byte[] d : written) {
            IpPacket p = IpPacket.decode(TestPackets.divert(d));
            if (p.udp() != null) {
                udpHeaders++;
                assertEquals(53, p.udp().destinationPort());
            }
            p.release();
        }
        assertEquals(count(p -> p.udp() != null), udpHeaders);
    }

    @Test
    void packetsNobodyHandlesAreDroppedAndCountedApart() throws IOException {
        OfflineReplay.Result result = OfflineReplay.builder()
                .input(Captures.path(Captures.SLL2))
                .build()
                .run(new IpPacketDecoder());
        assertEquals(INPUT.size(), result.read());
        assertEquals(INPUT.size(), result.unhandled());
        assertEquals(INPUT.size(), result.dropped());
        assertEquals(0, result.written());
    }

    @Test
    void writesWithoutATagCountAsInjections() throws IOException {
        byte[] extra = TestPackets.ipv4(IpProtocol.UDP, "192.0.2.1", "192.0.2.2", TestPackets.udp(7, 7, new byte[1]));
        OfflineReplay.Result result = OfflineReplay.builder()
                .input(Captures.path(Captures.SLL))
                .build()
                .run(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.write(msg);
                        ctx.writeAndFlush(new DivertPacket(Unpooled.wrappedBuffer(extra), DivertAddress.outbound()));
                    }
                });
        assertEquals(INPUT.size(), result.reinjected());
        assertEquals(INPUT.size(), result.injected());
        assertEquals(0, result.dropped());
    }

    @Test
    void directionComesFromTheRule() throws IOException {
        List<Direction> seen = new ArrayList<>();
        List<Boolean> fromLoopback6 = new ArrayList<>();
        OfflineReplay.builder()
                .input(Captures.path(Captures.ETHERNET_NANOS))
                .direction(DirectionRule.outboundFrom("::1/128", "10.0.0.0/8"))
                .divertPort(8668)
                .build()
                .run(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                DivertPacket p = (DivertPacket) msg;
                                assertEquals(8668, p.address().port());
                                assertTrue(p.address().hasTag());
                                seen.add(p.address().direction());
                                fromLoopback6.add(
                                        p.content().getUnsignedByte(p.content().readerIndex()) >>> 4 == 6);
                                ReferenceCountUtil.release(msg);
                            }
                        });
                    }
                });
        assertEquals(INPUT.size(), seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(fromLoopback6.get(i) ? Direction.OUTBOUND : Direction.INBOUND, seen.get(i));
        }
    }

    @Test
    void prefixRuleMatchesPartialBytes() {
        DirectionRule rule = DirectionRule.outboundFrom("192.0.2.128/25");
        byte[] inside = TestPackets.ipv4(IpProtocol.UDP, "192.0.2.200", "10.0.0.1", TestPackets.udp(1, 2, new byte[0]));
        byte[] outside =
                TestPackets.ipv4(IpProtocol.UDP, "192.0.2.100", "10.0.0.1", TestPackets.udp(1, 2, new byte[0]));
        assertEquals(Direction.OUTBOUND, rule.directionOf(TestPackets.buf(inside)));
        assertEquals(Direction.INBOUND, rule.directionOf(TestPackets.buf(outside)));
    }

    @Test
    void ruleRefusesHostNames() {
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> DirectionRule.outboundFrom("localhost/8"));
    }

    @Test
    void exceptionsInThePipelineAreCountedNotThrown() throws IOException {
        OfflineReplay.Result result = OfflineReplay.builder()
                .input(Captures.path(Captures.ETHERNET))
                .build()
                .run(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        throw new IllegalStateException("boom");
                    }
                });
        assertEquals(INPUT.size(), result.exceptions());
        assertEquals(INPUT.size(), result.dropped());
    }
}
