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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nettydivert.bsdjail.OpenBsdCommands;
import org.nettydivert.bsdjail.Plan;
import org.nettydivert.transport.bsd.BsdAbi;
import org.nettydivert.transport.bsd.RawDivertSocket;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.IpPackets;

/**
 * The OpenBSD clauses of issue 15 on a real OpenBSD 7.8 kernel, with rules in the pf anchor {@code
 * nettydivert/contract} (flushed after each test). Runs only as {@value RealBsd#COMMAND}, as root,
 * with pf enabled, {@code anchor "nettydivert/*"} in the main ruleset and lo0 not skipped.
 */
@ExtendWith(BsdContractReport.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenBsdKernelClausesTest {
    private static final int PORT = DivertContract.PORT;
    private static final int QUEUE = DivertContract.QUEUE;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Plan.Applied anchor;
    private final io.netty.channel.EventLoopGroup group =
            new io.netty.channel.MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());

    @BeforeAll
    static void onOpenBsd() {
        RealBsd.assume("OpenBSD", true);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        if (anchor != null) {
            anchor.undo();
        }
    }

    private void rules(String... rules) throws Exception {
        Path file = Files.createTempFile("nettydivert-contract", ".pf");
        try {
            Files.writeString(file, OpenBsdCommands.anchorText(List.of(rules)));
            anchor = RealBsdKernel.openBsdRules(file.toString()).apply(RealBsd.runner());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private DivertChannel bind(BlockingQueue<DivertPacket> packets) throws Exception {
        return (DivertChannel) new io.netty.bootstrap.Bootstrap()
                .group(group)
                .channel(DivertChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        packets.add((DivertPacket) msg);
                    }
                })
                .bind(DivertAddress.port(QUEUE))
                .sync()
                .channel();
    }

    private DatagramSocket socket(InetAddress address, int port) throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(address, port));
        closeables.add(s);
        return s;
    }

    private static DivertPacket take(BlockingQueue<DivertPacket> packets, String what) throws InterruptedException {
        DivertPacket p = packets.poll(5, TimeUnit.SECONDS);
        assertTrue(p != null, "nothing diverted: " + what);
        return p;
    }

    @Test
    void bothSocketsOpen() throws Exception {
        DivertChannel channel = bind(new LinkedBlockingQueue<>());
        assertEquals(2, channel.socket().fds().length, "one divert socket per address family");
    }

    @Test
    void readAddressesHaveTheLengthAndFamilyOfTheirSocket() throws Exception {
        rules(
                OpenBsdCommands.divertRule("out", "lo0", "inet", "udp", "127.0.0.1", PORT, QUEUE),
                OpenBsdCommands.divertRule("in", "lo0", "inet6", "udp", "::1", PORT, QUEUE));
        BlockingQueue<DivertPacket> packets = new LinkedBlockingQueue<>();
        bind(packets);
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        socket(v4, PORT);
        socket(v6, PORT);
        socket(v4, 0).send(new DatagramPacket(new byte[] {4}, 1, v4, PORT));
        DivertPacket out = take(packets, "IPv4 out");
        try {
            assertEquals(DivertAddress.Direction.OUTBOUND, out.address().direction());
            assertNull(out.address().interfaceAddress(), "outbound: the any address");
        } finally {
            out.release();
        }
        socket(v6, 0).send(new DatagramPacket(new byte[] {6}, 1, v6, PORT));
        DivertPacket in = take(packets, "IPv6 in");
        try {
            assertEquals(DivertAddress.Direction.INBOUND, in.address().direction());
            assertInstanceOf(
                    Inet6Address.class, in.address().interfaceAddress(), "a sockaddr_in6 (28 bytes, AF_INET6 24)");
        } finally {
            in.release();
        }
    }

    @Test
    void anIpv6LinkLocalInterfaceAddressComesInTheEmbeddedForm() throws Exception {
        rules(OpenBsdCommands.divertRule("in", "lo0", "inet6", "udp", "any", PORT, QUEUE));
        BlockingQueue<DivertPacket> packets = new LinkedBlockingQueue<>();
        bind(packets);
        InetAddress linkLocal = InetAddress.getByName("fe80::1%lo0");
        socket(linkLocal, PORT);
        socket(linkLocal, 0).send(new DatagramPacket(new byte[] {1}, 1, linkLocal, PORT));
        DivertPacket in = take(packets, "IPv6 to fe80::1%lo0");
        try {
            InetAddress a = in.address().interfaceAddress();
            assumeTrue(
                    a != null && a.getAddress()[0] == (byte) 0xfe && (a.getAddress()[1] & 0xc0) == 0x80,
                    "the kernel gave lo0's first IPv6 address, not a link-local one: " + a);
            byte[] b = a.getAddress();
            int embedded = (b[2] & 0xFF) << 8 | b[3] & 0xFF;
            assertEquals(NetworkInterface.getByName("lo0").getIndex(), embedded, "fe80:IDX::1");
            assertEquals(0, ((Inet6Address) a).getScopeId());
        } finally {
            in.release();
        }
    }

    @Test
    void aWrongIpv4TotalLengthGetsEinval() throws Exception {
        ByteBuf packet = DivertContract.udp(4321, "short".getBytes(StandardCharsets.US_ASCII));
        try (RawDivertSocket raw = RawDivertSocket.open(BsdAbi.OPENBSD, BsdAbi.AF_INET, 8)) {
            packet.setShort(2, packet.readableBytes() - 1); // shorter than written: FreeBSD takes it
            packet.setShort(10, 0);
            IpPackets.updateIpv4HeaderChecksum(packet, 0);
            assertEquals("EINVAL", Errno.name(raw.sendOutbound(packet)));
        } finally {
            packet.release();
        }
    }

    @Test
    void moreThan65535BytesGetEmsgsize() throws Exception {
        ByteBuf packet = Unpooled.directBuffer(65536 + 28);
        ByteBuf header = DivertContract.udp(4321, new byte[0]);
        try {
            packet.writeBytes(header);
        } finally {
            header.release();
        }
        packet.writeZero(65536);
        packet.setShort(2, 0xFFFF);
        try (RawDivertSocket raw = RawDivertSocket.open(BsdAbi.OPENBSD, BsdAbi.AF_INET, 8)) {
            assertEquals("EMSGSIZE", Errno.name(raw.sendOutbound(packet)));
        } finally {
            packet.release();
        }
    }

    @Test
    void theKernelRepairsL4Checksums() throws Exception {
        // Written with a wrong UDP checksum through a bare divert socket; tcpdump -v on lo0 says
        // "bad udp cksum" when the bytes on the interface are wrong.
        Process capture = new ProcessBuilder(
                        "tcpdump", "-c", "1", "-n", "-v", "-l", "-i", "lo0", "udp", "and", "dst", "port", "9998")
                .redirectErrorStream(true)
                .start();
        closeables.add(capture::destroyForcibly);
        CompletableFuture<String> printed = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = capture.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        Thread.sleep(1500);
        ByteBuf packet = DivertContract.udp(4321, "sum".getBytes(StandardCharsets.US_ASCII));
        packet.setShort(22, 9998);
        packet.setShort(26, 0xBEEF);
        try (RawDivertSocket raw = RawDivertSocket.open(BsdAbi.OPENBSD, BsdAbi.AF_INET, 8)) {
            int errno = raw.sendOutbound(packet);
            assertEquals("0", errno == 0 ? "0" : Errno.name(errno));
        } finally {
            packet.release();
        }
        String out = printed.get(10, TimeUnit.SECONDS);
        assertTrue(out.contains("127.0.0.1.4321 > 127.0.0.1.9998"), out);
        assertFalse(out.contains("bad udp cksum"), out);
    }
}
