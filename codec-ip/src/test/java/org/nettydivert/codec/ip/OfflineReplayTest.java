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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
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
    void ruleRefusesBadPrefixLengthsNamingTheNetwork() {
        for (String network : new String[] {"10.0.0.0/x", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/33", "::/129"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> DirectionRule.outboundFrom(network), network);
            assertTrue(e.getMessage().startsWith("bad prefix length in '" + network + "': 0.."), e.getMessage());
        }
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

    /**
     * The checked-in capture's datagrams, {@code times} over, as a LINKTYPE_RAW file in the
     * temporary directory, which tests may overwrite.
     */
    private Path input(int times) throws IOException {
        Path in = tmp.resolve("in.pcap");
        try (PcapWriter w = PcapWriter.create(in)) {
            for (int i = 0; i < times; i++) {
                for (byte[] d : INPUT) {
                    w.write(Unpooled.wrappedBuffer(d));
                }
            }
        }
        return in;
    }

    private static OfflineReplay.Result copy(Path in, Path out) throws IOException {
        return OfflineReplay.builder().input(in).output(out).build().run(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg);
            }
        });
    }

    private List<String> filesInTmp() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theInputIsNeverTheOutput() throws IOException {
        // Larger than a read buffer (8 KiB): writing over it fails half way ("truncated").
        Path in = input(4);
        assertTrue(Files.size(in) > 16384);
        byte[] before = Files.readAllBytes(in);
        Path symlink = Files.createSymbolicLink(tmp.resolve("link.pcap"), in.getFileName());
        Path hardLink = Files.createLink(tmp.resolve("hard.pcap"), in);
        for (Path out : new Path[] {in, symlink, hardLink, tmp.resolve("sub/../in.pcap")}) {
            Files.createDirectories(tmp.resolve("sub"));
            IOException e = assertThrows(IOException.class, () -> copy(in, out), out.toString());
            assertTrue(e.getMessage().contains("is the input"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(in), out.toString());
        }
    }

    @Test
    void aReplayThatFailsLeavesTheOutputAsItWas() throws IOException {
        Path in = input(4);
        byte[] whole = Files.readAllBytes(in);
        Files.write(in, Arrays.copyOf(whole, whole.length - 3));
        Path out = tmp.resolve("out.pcap");
        byte[] older = "an older output".getBytes(StandardCharsets.US_ASCII);
        Files.write(out, older);
        assertThrows(IOException.class, () -> copy(in, out));
        assertArrayEquals(older, Files.readAllBytes(out));
        assertEquals(List.of("in.pcap", "out.pcap"), filesInTmp(), "no partial output is left");

        Files.delete(out);
        assertThrows(IOException.class, () -> copy(in, out));
        assertEquals(List.of("in.pcap"), filesInTmp());
    }

    @Test
    void anOutputThatIsASymlinkIsWrittenThrough() throws IOException {
        Path in = input(1);
        Files.createDirectories(tmp.resolve("real"));
        Path target = tmp.resolve("real/out.pcap");
        Files.writeString(target, "an older output");
        Path link = Files.createSymbolicLink(tmp.resolve("out.pcap"), Path.of("real/out.pcap"));
        OfflineReplay.Result result = copy(in, link);
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertEquals(result.written(), Captures.datagramsOf(target).size());
        assertEquals(INPUT.size(), result.written());
    }

    @Test
    void theOutputGetsTheModesOfAnyNewFile() throws IOException {
        Path in = input(1);
        Path out = tmp.resolve("out.pcap");
        copy(in, out);
        Path plain = Files.createFile(tmp.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
    }
}
