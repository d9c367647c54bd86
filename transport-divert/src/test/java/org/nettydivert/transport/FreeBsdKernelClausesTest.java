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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nettydivert.bsdjail.FreeBsdCommands;
import org.nettydivert.bsdjail.IpfwMatch;
import org.nettydivert.bsdjail.Plan;
import org.nettydivert.transport.bsd.BsdAbi;
import org.nettydivert.transport.bsd.RawDivertSocket;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.IpPackets;

/**
 * The FreeBSD clauses of issue 15 on a real FreeBSD kernel, this JVM in its VNET jail with the peer
 * jail across epair0 ({@link RealBsd}). Each test loads its own ipfw rules (rule 100 and up, before
 * the session's closing {@code allow}) and deletes them after. Runs only as {@value
 * RealBsd#COMMAND}, as root.
 */
@ExtendWith(BsdContractReport.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FreeBsdKernelClausesTest {
    /** __FreeBSD_version of 14.0-RELEASE's branch (sys/sys/param.h): 1400000 and up. */
    static final int FREEBSD_14 = 1_400_000;

    private static final int QUEUE = DivertContract.QUEUE;
    private static final int PORT = DivertContract.PORT;

    /** What a read packet said, copied out of it. */
    record Seen(int version, int protocol, DivertAddress address, byte[] ip) {}

    private RealBsdKernel kernel;
    private final List<Plan.Applied> extraRules = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void onFreeBsd() {
        RealBsd.assume("FreeBSD", true);
        RealBsd.freeBsd();
    }

    @BeforeEach
    void kernel() throws Exception {
        kernel = RealBsdKernel.freeBsd(RealBsd.runner());
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (Plan.Applied rules : extraRules) {
            rules.undo();
        }
        if (kernel != null) {
            kernel.close();
        }
    }

    private void rule(int number, IpfwMatch match) {
        extraRules.add(new Plan()
                .step(FreeBsdCommands.ipfwDivert(number, QUEUE, match), FreeBsdCommands.ipfwDelete(number))
                .apply(RealBsd.runner()));
    }

    /** A channel that records every packet, then {@code then} decides its fate (write or release). */
    private BlockingQueue<Seen> read(BiConsumer<ChannelHandlerContext, DivertPacket> then, Bootstrap bootstrap)
            throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        kernel.bind(
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        DivertPacket packet = (DivertPacket) msg;
                        ByteBuf ip = packet.content();
                        int version = ip.getUnsignedByte(ip.readerIndex()) >> 4;
                        int protocol = ip.getUnsignedByte(ip.readerIndex() + (version == 4 ? 9 : 6));
                        seen.add(new Seen(version, protocol, packet.address(), ByteBufUtil.getBytes(ip)));
                        then.accept(ctx, packet);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                },
                bootstrap);
        return seen;
    }

    private BlockingQueue<Seen> read(BiConsumer<ChannelHandlerContext, DivertPacket> then) throws Exception {
        return read(then, new Bootstrap());
    }

    private static void release(ChannelHandlerContext ctx, DivertPacket packet) {
        packet.release();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** An IPv4/UDP datagram {@code from} → {@code to}, checksums right. */
    private static ByteBuf udp(InetSocketAddress from, InetSocketAddress to, byte[] payload) {
        ByteBuf b = DivertContract.udp(from.getPort(), payload);
        b.setBytes(12, from.getAddress().getAddress());
        b.setBytes(16, to.getAddress().getAddress());
        b.setShort(22, to.getPort());
        b.setShort(10, 0);
        IpPackets.updateIpv4HeaderChecksum(b, 0);
        b.setShort(26, 0);
        IpPackets.completeTransportChecksum(b, 0, b.readableBytes());
        return b;
    }

    private DatagramSocket udpSocket(InetSocketAddress bind) throws Exception {
        DatagramSocket s = new DatagramSocket(bind);
        closeables.add(s);
        return s;
    }

    // ---- opening

    @Test
    void pfDivertOpensOn14AndLaterAndThePfInetFormOn13() throws Exception {
        int release = RealBsd.osreldate();
        int pfDivert = RawDivertSocket.trySocket(BsdAbi.FREEBSD.pfDivert, 0);
        if (release >= FREEBSD_14) {
            assertEquals("0", pfDivert == 0 ? "0" : Errno.name(pfDivert), "socket(PF_DIVERT, SOCK_RAW, 0)");
        } else {
            assertEquals("EAFNOSUPPORT", Errno.name(pfDivert), "13 has no PF_DIVERT");
        }
        int inet = RawDivertSocket.trySocket(BsdAbi.AF_INET, BsdAbi.IPPROTO_DIVERT);
        assertEquals("0", inet == 0 ? "0" : Errno.name(inet), "socket(PF_INET, SOCK_RAW, IPPROTO_DIVERT)");
        read(FreeBsdKernelClausesTest::release); // and the channel binds, whichever form it took
    }

    @Test
    void aSecondBindOnAPortGetsEaddrinuse() throws Exception {
        assumeTrue(RealBsd.osreldate() >= FREEBSD_14, "13 lets a second socket bind a port (and gives it nothing)");
        read(FreeBsdKernelClausesTest::release);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(
                Exception.class, () -> read(FreeBsdKernelClausesTest::release));
        DivertIoException cause = assertInstanceOf(DivertIoException.class, e);
        assertEquals("EADDRINUSE", cause.errnoName(), cause.getMessage());
    }

    // ---- what a read packet says

    @Test
    void theTagIsTheRuleNumberAndAnOutboundPacketHasAddressZeroAndNoName() throws Exception {
        BlockingQueue<Seen> seen = read(ChannelHandlerContext::write);
        kernel.divert(bytes("tag"));
        Seen s = seen.poll(5, TimeUnit.SECONDS);
        assertTrue(s != null, "nothing diverted by rule " + RealBsdKernel.RULE);
        assertEquals(RealBsdKernel.RULE, s.address().tag());
        assertEquals(DivertAddress.Direction.OUTBOUND, s.address().direction());
        assertNull(s.address().interfaceName(), "a locally generated packet has no interface name");
        InetAddress a = s.address().interfaceAddress();
        assertTrue(a == null || a.isAnyLocalAddress(), String.valueOf(a));
    }

    @Test
    void anInboundPacketHasTheEpairsAddressAndName() throws Exception {
        // A datagram to a port nobody listens on in the peer comes back as ICMP port unreachable.
        rule(110, new IpfwMatch("icmp", 0, 0, "in", List.of("via", RealBsd.HERE_IF)));
        BlockingQueue<Seen> seen = read(FreeBsdKernelClausesTest::release);
        kernel.send(bytes("unreachable"), new InetSocketAddress(RealBsd.THERE4, 9));
        Seen s = seen.poll(5, TimeUnit.SECONDS);
        assertTrue(s != null, "no ICMP from the peer diverted by rule 110");
        assertEquals(1, s.protocol(), "ICMP");
        assertEquals(DivertAddress.Direction.INBOUND, s.address().direction());
        assertEquals(RealBsd.HERE_IF, s.address().interfaceName());
        assertEquals(InetAddress.getByName(RealBsd.HERE4), s.address().interfaceAddress());
        assertEquals(110, s.address().tag());
    }

    @Test
    void anIpv6PacketArrivesOnTheAfInetSockaddr() throws Exception {
        DatagramSocket receiver6 = udpSocket(new InetSocketAddress(InetAddress.getByName("::1"), PORT));
        BlockingQueue<Seen> seen = read(ChannelHandlerContext::write);
        DatagramSocket sender6 = udpSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0));
        sender6.send(new DatagramPacket(bytes("six"), 3, InetAddress.getByName("::1"), PORT));
        Seen s = seen.poll(5, TimeUnit.SECONDS);
        assertTrue(s != null, "no IPv6 datagram diverted");
        // The decoder takes only the 16-byte AF_INET sockaddr on FreeBSD: that it read one is the check.
        assertEquals(6, s.version());
        assertEquals(RealBsdKernel.RULE, s.address().tag());
        receiver6.setSoTimeout(2000);
        assertEquals("six", text(Datagrams.receive(receiver6)));
    }

    // ---- writing

    @Test
    void writtenBackUnchangedItArrivesOnceWithNoLoop() throws Exception {
        BlockingQueue<Seen> seen = read(ChannelHandlerContext::write);
        kernel.divert(bytes("once"));
        assertEquals(
                List.of("once"),
                kernel.passed(1).stream().map(FreeBsdKernelClausesTest::text).toList());
        Thread.sleep(300);
        assertEquals(1, seen.size(), "written back at rule 101, it is not diverted again");
    }

    @Test
    void anInboundWriteWithTheNameAndAddress0001Arrives() throws Exception {
        DivertChannel channel = kernel.bind(new ChannelInboundHandlerAdapter());
        InetSocketAddress here = new InetSocketAddress(RealBsd.HERE4, PORT);
        DatagramSocket receiver = udpSocket(here);
        receiver.setSoTimeout(2000);
        ChannelFuture write = channel.writeAndFlush(new DivertPacket(
                udp(new InetSocketAddress(RealBsd.THERE4, 4321), here, bytes("in")),
                DivertAddress.inbound(RealBsd.HERE_IF)));
        assertTrue(write.await(10, TimeUnit.SECONDS));
        assertTrue(write.isSuccess(), String.valueOf(write.cause()));
        byte[] got = Datagrams.receive(receiver);
        assertEquals("in", got == null ? null : text(got));
    }

    @Test
    void anInboundWriteWithAWrongNameGetsEaddrnotavail() throws Exception {
        DivertChannel channel = kernel.bind(new ChannelInboundHandlerAdapter());
        InetSocketAddress here = new InetSocketAddress(RealBsd.HERE4, PORT);
        ChannelFuture write = channel.writeAndFlush(new DivertPacket(
                udp(new InetSocketAddress(RealBsd.THERE4, 4321), here, bytes("lost")),
                DivertAddress.inbound("nosuch9")));
        assertTrue(write.await(10, TimeUnit.SECONDS));
        DivertIoException e = assertInstanceOf(DivertIoException.class, write.cause());
        assertEquals("EADDRNOTAVAIL", e.errnoName(), e.getMessage());
        assertTrue(channel.isOpen());
    }

    @Test
    void aBadIpv4HeaderChecksumIsFixedOnTheWayOut() throws Exception {
        // The channel fixes checksums itself, so this writes through a bare divert socket, and the
        // peer's tcpdump (-v prints "bad cksum") says what arrived on the wire.
        ProcessBuilder tcpdump = new ProcessBuilder(FreeBsdCommands.jexec(
                        "peer",
                        List.of(
                                "tcpdump",
                                "-c",
                                "1",
                                "-n",
                                "-v",
                                "-l",
                                "-i",
                                "epair0b",
                                "udp",
                                "and",
                                "dst",
                                "port",
                                String.valueOf(PORT))))
                .redirectErrorStream(true);
        Process capture = tcpdump.start();
        closeables.add(capture::destroyForcibly);
        CompletableFuture<String> printed = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = capture.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        Thread.sleep(1500); // tcpdump attaches to the interface
        ByteBuf packet = udp(
                new InetSocketAddress(RealBsd.HERE4, 4321), new InetSocketAddress(RealBsd.THERE4, PORT), bytes("sum"));
        try (RawDivertSocket raw = RawDivertSocket.open(BsdAbi.FREEBSD, BsdAbi.AF_INET, 8)) {
            packet.setShort(10, 0xDEAD);
            int errno = raw.sendOutbound(packet);
            assertEquals("0", errno == 0 ? "0" : Errno.name(errno), "sendto");
        } finally {
            packet.release();
        }
        String out = printed.get(10, TimeUnit.SECONDS);
        assertTrue(out.contains(RealBsd.HERE4 + ".4321 > " + RealBsd.THERE4 + "." + PORT), out);
        assertFalse(out.contains("bad cksum"), out);
    }

    @Test
    void aBurstLargerThanABatchArrivesWholeAndInOrder() throws Exception {
        read(ChannelHandlerContext::write, new Bootstrap().option(DivertChannelOption.BATCH_SIZE, 8));
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sent.add("burst " + i);
            kernel.divert(bytes(sent.get(i)));
        }
        assertEquals(
                sent,
                kernel.passed(100).stream().map(FreeBsdKernelClausesTest::text).toList());
    }

    @Test
    void aMixedBatchPinsItsFailureToTheRightPacket() throws Exception {
        List<DivertPacket> held = new ArrayList<>();
        List<ChannelFuture> writes = new ArrayList<>();
        read((ctx, packet) -> {
            held.add(packet);
            if (held.size() < 5) {
                return;
            }
            for (DivertPacket p : held) {
                ByteBuf ip = p.content();
                char c = (char) ip.getByte(ip.readerIndex() + 28);
                if (c == 'n') { // an interface that is not there
                    writes.add(ctx.write(new DivertPacket(p.content(), DivertAddress.inbound("nosuch9"))));
                } else {
                    if (c == 'l') { // a total length past the end
                        ip.setShort(ip.readerIndex() + 2, ip.readableBytes() + 100);
                    }
                    writes.add(ctx.write(p));
                }
            }
            ctx.flush();
        });
        for (String p : List.of("ok1", "name", "ok2", "length", "ok3")) {
            kernel.divert(bytes(p));
        }
        assertEquals(
                List.of("ok1", "ok2", "ok3"),
                kernel.passed(5).stream().map(FreeBsdKernelClausesTest::text).toList());
        List<String> outcomes = new ArrayList<>();
        for (ChannelFuture f : writes) {
            assertTrue(f.await(10, TimeUnit.SECONDS));
            outcomes.add(f.isSuccess() ? "ok" : ((DivertIoException) f.cause()).errnoName());
        }
        assertEquals(List.of("ok", "EADDRNOTAVAIL", "ok", "EINVAL", "ok"), outcomes);
    }

    @Test
    void theReceivedPayloadIsUntouchedByTheRoundTrip() throws Exception {
        read(ChannelHandlerContext::write);
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        kernel.divert(all);
        List<byte[]> got = kernel.passed(1);
        assertEquals(1, got.size());
        assertEquals(
                ByteBufUtil.hexDump(Unpooled.wrappedBuffer(all)),
                ByteBufUtil.hexDump(Unpooled.wrappedBuffer(got.get(0))));
    }
}
