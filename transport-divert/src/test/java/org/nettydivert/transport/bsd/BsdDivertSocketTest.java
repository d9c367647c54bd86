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
package org.nettydivert.transport.bsd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertAddress.Direction;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertChannelConfig;
import org.nettydivert.transport.DivertIoException;
import org.nettydivert.transport.DivertPacket;
import org.nettydivert.transport.spi.DivertSocket;
import org.nettydivert.transport.unix.Errno;

/**
 * The BSD divert socket against a stand-in kernel ({@link FakeBsdKernel}): which sockets it
 * opens and how it binds them, what bind failures say, how it reads batches of packets with
 * their addresses, and how it writes them back: in order, batched, one failure per refused
 * packet, stopping where the kernel would block.
 */
class BsdDivertSocketTest {
    private static final int PORT = 8668;
    // UDP 10.0.0.1 -> 10.0.0.2, IPv4 header checksum 0x26cf.
    private static final String UDP4 = "4500001c00004000401126cf0a0000010a000002" + "3039003500080000";
    private static final String UDP4_BAD_CHECKSUM = "4500001c000040004011beef0a0000010a000002" + "3039003500080000";
    // UDP 2001:db8::1 -> 2001:db8::2
    private static final String UDP6 = "6000000000081140" + "20010db8000000000000000000000001"
            + "20010db8000000000000000000000002" + "3039003500080000";
    // FreeBSD: inbound on em0 (192.168.1.10), rule 1000.
    private static final String FREEBSD_IN = "1002e803c0a8010a656d300000000000";
    // FreeBSD: outbound, rule 100.
    private static final String FREEBSD_OUT = "10026400000000000000000000000000";

    private final FakeBsdKernel kernel = new FakeBsdKernel();
    private final DivertChannelConfig config = new DivertChannel().config();
    private final List<Object> toRelease = new ArrayList<>();
    private BsdDivertSocket socket;

    @AfterEach
    void tearDown() {
        if (socket != null) {
            socket.close();
        }
        for (Object o : toRelease) {
            io.netty.util.ReferenceCountUtil.release(o);
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private BsdDivertSocket open(BsdAbi abi) throws Exception {
        socket = BsdDivertSocket.open(abi, kernel, config, PORT);
        return socket;
    }

    private DivertPacket packet(String hex, DivertAddress address) {
        ByteBuf content = Unpooled.directBuffer().writeBytes(ByteBufUtil.decodeHexDump(hex));
        DivertPacket packet = new DivertPacket(content, address);
        toRelease.add(packet);
        return packet;
    }

    private int[] ints(int... values) {
        return values;
    }

    // ---- opening and binding ----

    @Test
    void freeBsd14OpensANonBlockingCloseOnExecPfDivertSocket() throws Exception {
        open(BsdAbi.FREEBSD);
        FakeBsdKernel.Call call = kernel.calls("socket").get(0);
        assertArrayEquals(ints(44, 0x30000003, 0), call.args);
        assertEquals(1, kernel.calls("socket").size());
        assertEquals(1, socket.fds().length);
    }

    @Test
    void freeBsdBindsASockaddrInWithLength16AndThePortInNetworkOrder() throws Exception {
        open(BsdAbi.FREEBSD);
        FakeBsdKernel.Call bind = kernel.calls("bind").get(0);
        assertEquals(socket.fds()[0], bind.fd);
        assertEquals("100221dc000000000000000000000000", bind.bytes);
    }

    @Test
    void freeBsdBeforeFourteenFallsBackToPfInetWithIpprotoDivert() throws Exception {
        for (int errno : ints(Errno.EAFNOSUPPORT, Errno.EPROTONOSUPPORT, Errno.EPFNOSUPPORT)) {
            FakeBsdKernel k = new FakeBsdKernel();
            k.socketResults.add(-errno);
            k.socketResults.add(7);
            BsdDivertSocket s = BsdDivertSocket.open(BsdAbi.FREEBSD, k, config, PORT);
            try {
                List<FakeBsdKernel.Call> sockets = k.calls("socket");
                assertEquals(2, sockets.size(), Errno.name(errno));
                assertArrayEquals(ints(2, 0x30000003, 258), sockets.get(1).args, Errno.name(errno));
                assertArrayEquals(ints(7), s.fds());
            } finally {
                s.close();
            }
        }
    }

    @Test
    void freeBsdWithoutPrivilegeSaysDivertNeedsRootAndDoesNotFallBack() {
        kernel.socketResults.add(-Errno.EPERM);
        DivertIoException e = assertThrows(DivertIoException.class, () -> open(BsdAbi.FREEBSD));
        assertTrue(e.getMessage().contains("divert sockets need root"), e.getMessage());
        assertEquals("EPERM", e.errnoName());
        assertEquals(1, kernel.calls("socket").size());
    }

    @Test
    void freeBsdWithoutIpdivertSaysToLoadTheModule() {
        kernel.socketResults.add(-Errno.EAFNOSUPPORT);
        kernel.socketResults.add(-Errno.EPROTONOSUPPORT);
        DivertIoException e = assertThrows(DivertIoException.class, () -> open(BsdAbi.FREEBSD));
        assertTrue(e.getMessage().contains("kldload ipdivert"), e.getMessage());
        assertTrue(e.getMessage().startsWith("socket(PF_INET, SOCK_RAW, IPPROTO_DIVERT)"), e.getMessage());
    }

    @Test
    void portInUseSaysSoAndClosesTheSocket() {
        kernel.socketResults.add(9);
        kernel.bindError = Errno.EADDRINUSE;
        DivertIoException e = assertThrows(DivertIoException.class, () -> open(BsdAbi.FREEBSD));
        assertTrue(e.getMessage().contains("divert port 8668 is in use by another socket or channel"), e.getMessage());
        assertEquals("bind", e.call());
        assertEquals(List.of(9), kernel.closed);
    }

    @Test
    void openBsdOpensOneSocketPerFamilyAndBindsEach() throws Exception {
        kernel.socketResults.add(5);
        kernel.socketResults.add(6);
        open(BsdAbi.OPENBSD);
        List<FakeBsdKernel.Call> sockets = kernel.calls("socket");
        assertArrayEquals(ints(2, 0xC003, 258), sockets.get(0).args);
        assertArrayEquals(ints(24, 0xC003, 258), sockets.get(1).args);
        assertArrayEquals(ints(5, 6), socket.fds());
        List<FakeBsdKernel.Call> binds = kernel.calls("bind");
        assertEquals(5, binds.get(0).fd);
        assertEquals("100221dc000000000000000000000000", binds.get(0).bytes);
        assertEquals(6, binds.get(1).fd);
        assertEquals("1c1821dc" + "00".repeat(24), binds.get(1).bytes);
        assertTrue(socket.isReadable(5));
        assertTrue(socket.isReadable(6));
    }

    @Test
    void openBsdUnprivilegedSaysDivertNeedsRoot() {
        kernel.socketResults.add(-Errno.EACCES);
        DivertIoException e = assertThrows(DivertIoException.class, () -> open(BsdAbi.OPENBSD));
        assertTrue(e.getMessage().contains("divert sockets need root"), e.getMessage());
        assertTrue(e.getMessage().startsWith("socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT)"), e.getMessage());
    }

    @Test
    void openBsdFailingSecondSocketClosesTheFirst() {
        kernel.socketResults.add(5);
        kernel.socketResults.add(-Errno.EPROTONOSUPPORT);
        DivertIoException e = assertThrows(DivertIoException.class, () -> open(BsdAbi.OPENBSD));
        assertTrue(e.getMessage().contains("pf divert not available"), e.getMessage());
        assertEquals(List.of(5), kernel.closed);
    }

    @Test
    void receiveBufferDefaultsToOneMebibyteAndItsRefusalIsNotFatal() throws Exception {
        kernel.setsockoptErrors.put(BsdAbi.SO_RCVBUF, Errno.ENOBUFS);
        open(BsdAbi.FREEBSD);
        FakeBsdKernel.Call call = kernel.calls("setsockopt").get(0);
        assertArrayEquals(ints(0xffff, 0x1002, 1 << 20, 4), call.args);
    }

    @Test
    void configuredBufferSizesAreSetAndTheirRefusalNamesTheSysctl() throws Exception {
        config.setReceiveBufferSize(300_000).setSendBufferSize(200_000);
        open(BsdAbi.FREEBSD);
        List<FakeBsdKernel.Call> options = kernel.calls("setsockopt");
        assertArrayEquals(ints(0xffff, 0x1002, 300_000, 4), options.get(0).args);
        assertArrayEquals(ints(0xffff, 0x1001, 200_000, 4), options.get(1).args);
        socket.close();

        FakeBsdKernel refusing = new FakeBsdKernel();
        refusing.setsockoptErrors.put(BsdAbi.SO_SNDBUF, Errno.ENOBUFS);
        DivertIoException e = assertThrows(
                DivertIoException.class, () -> BsdDivertSocket.open(BsdAbi.FREEBSD, refusing, config, PORT));
        assertTrue(e.getMessage().contains("kern.ipc.maxsockbuf"), e.getMessage());
        assertEquals(1, refusing.closed.size());
    }

    @Test
    void reusePortLbIsRefusedOnFreeBsdBeforeAnyKernelCallNamingTheOptionAndWhatToDo() {
        // Every released FreeBSD accepts the option and then either refuses the second bind (14,
        // 15) or gives every packet to the first socket (13): the channel must not pretend.
        config.setReusePortLb(true);
        DivertIoException e = assertThrows(DivertIoException.class, () -> open(BsdAbi.FREEBSD));
        String message = e.getMessage();
        assertTrue(message.contains("DivertChannelOption.REUSEPORT_LB"), message);
        assertTrue(message.contains("one channel per divert port"), message);
        assertTrue(message.contains("several divert rules"), message);
        assertTrue(kernel.calls("bind").isEmpty(), kernel.calls.toString());
        assertTrue(kernel.calls("setsockopt").stream().noneMatch(c -> c.args[1] == 0x10000), kernel.calls.toString());
    }

    @Test
    void secondChannelOnABoundPortIsRefusedSayingAnotherSocketOrChannelHasIt() throws Exception {
        // FreeBSD 14+ div_bind (and OpenBSD's in_pcbbind) refuse a second socket on a port.
        open(BsdAbi.FREEBSD);
        DivertIoException e =
                assertThrows(DivertIoException.class, () -> BsdDivertSocket.open(BsdAbi.FREEBSD, kernel, config, PORT));
        assertEquals("EADDRINUSE", e.errnoName());
        assertTrue(e.getMessage().contains("in use by another socket or channel"), e.getMessage());
        assertTrue(e.getMessage().contains("one channel per divert port"), e.getMessage());
    }

    @Test
    void reusePortLbOnOpenBsdIsRefusedBeforeAnyKernelCall() {
        config.setReusePortLb(true);
        DivertIoException e = assertThrows(DivertIoException.class, () -> open(BsdAbi.OPENBSD));
        assertTrue(e.getMessage().contains("OPENBSD has no SO_REUSEPORT_LB"), e.getMessage());
        assertTrue(kernel.calls("bind").isEmpty());
    }

    // ---- reading ----

    @Test
    void readsEachDatagramWholeWithItsAddress() throws Exception {
        open(BsdAbi.FREEBSD);
        int fd = socket.fds()[0];
        kernel.deliver(fd, FREEBSD_IN, UDP4);
        kernel.deliver(fd, FREEBSD_OUT, UDP6);
        DivertPacket[] out = new DivertPacket[8];
        assertEquals(2, socket.read(fd, PooledByteBufAllocator.DEFAULT, out));
        toRelease.add(out[0]);
        toRelease.add(out[1]);
        assertEquals(UDP4, ByteBufUtil.hexDump(out[0].content()));
        assertEquals(new DivertAddress(PORT, Direction.INBOUND, "em0", ip("192.168.1.10"), 1000, 0), out[0].address());
        assertEquals(UDP6, ByteBufUtil.hexDump(out[1].content()));
        assertEquals(new DivertAddress(PORT, Direction.OUTBOUND, null, null, 100, 0), out[1].address());
        assertNull(out[2]);
        assertEquals(DivertSocket.WOULD_BLOCK, socket.read(fd, PooledByteBufAllocator.DEFAULT, out));
    }

    @Test
    void readTakesNoMorePacketsThanTheBatchHolds() throws Exception {
        open(BsdAbi.FREEBSD);
        int fd = socket.fds()[0];
        for (int i = 0; i < 5; i++) {
            kernel.deliver(fd, FREEBSD_OUT, UDP4);
        }
        DivertPacket[] out = new DivertPacket[3];
        assertEquals(3, socket.read(fd, PooledByteBufAllocator.DEFAULT, out));
        assertEquals(3, kernel.calls("recvmmsg").get(0).args[0]);
        for (DivertPacket p : out) {
            toRelease.add(p);
        }
        assertEquals(2, socket.read(fd, PooledByteBufAllocator.DEFAULT, out));
        toRelease.add(out[0]);
        toRelease.add(out[1]);
    }

    @Test
    void packetLongerThanMaxPacketSizeIsDroppedAndTheNextOneRead() throws Exception {
        config.setMaxPacketSize(28);
        open(BsdAbi.FREEBSD);
        int fd = socket.fds()[0];
        kernel.deliver(fd, FREEBSD_OUT, UDP6); // 48 bytes
        kernel.deliver(fd, FREEBSD_OUT, UDP4); // 28 bytes
        DivertPacket[] out = new DivertPacket[4];
        assertEquals(1, socket.read(fd, PooledByteBufAllocator.DEFAULT, out));
        toRelease.add(out[0]);
        assertEquals(UDP4, ByteBufUtil.hexDump(out[0].content()));
    }

    @Test
    void openBsdReadsIpv6PacketsFromTheInet6SocketWithASockaddrIn6() throws Exception {
        kernel.socketResults.add(5);
        kernel.socketResults.add(6);
        open(BsdAbi.OPENBSD);
        kernel.deliver(6, "1c18000000000000" + "20010db8000000000000000000000002" + "00000000", UDP6);
        DivertPacket[] out = new DivertPacket[4];
        assertEquals(1, socket.read(6, PooledByteBufAllocator.DEFAULT, out));
        toRelease.add(out[0]);
        assertEquals(new DivertAddress(PORT, Direction.INBOUND, null, ip("2001:db8::2"), 0, 0), out[0].address());
        assertEquals(DivertSocket.WOULD_BLOCK, socket.read(5, PooledByteBufAllocator.DEFAULT, out));
    }

    @Test
    void readFailureNamesRecvmmsg() throws Exception {
        open(BsdAbi.FREEBSD);
        kernel.recvError = Errno.EBADF;
        DivertIoException e = assertThrows(
                DivertIoException.class,
                () -> socket.read(socket.fds()[0], PooledByteBufAllocator.DEFAULT, new DivertPacket[2]));
        assertEquals("recvmmsg", e.call());
    }

    @Test
    void interruptedReadReturnsNoPacket() throws Exception {
        open(BsdAbi.FREEBSD);
        kernel.recvError = Errno.EINTR;
        assertEquals(0, socket.read(socket.fds()[0], PooledByteBufAllocator.DEFAULT, new DivertPacket[2]));
    }

    // ---- writing ----

    @Test
    void packetsWrittenInOneFlushLeaveInOneCallInOrder() throws Exception {
        open(BsdAbi.FREEBSD);
        BsdSockaddr decoder = new BsdSockaddr(BsdAbi.FREEBSD, PORT);
        ByteBuf in = Unpooled.buffer().writeBytes(ByteBufUtil.decodeHexDump(FREEBSD_IN));
        DivertAddress inbound = decoder.decode(in, 0, 16);
        in.release();
        DivertPacket[] packets = {
            packet(UDP4, inbound), packet(UDP6, DivertAddress.outbound()), packet(UDP4, DivertAddress.inbound("lo0"))
        };
        Throwable[] failures = new Throwable[3];
        assertEquals(3, socket.write(packets, 3, failures));
        assertEquals(List.of(socket.fds()[0]), kernel.sendCalls);
        assertEquals(3, kernel.sent.size());
        assertEquals(FREEBSD_IN, kernel.sent.get(0).sockaddr);
        assertEquals(UDP4, kernel.sent.get(0).packet);
        assertEquals("10020000000000000000000000000000", kernel.sent.get(1).sockaddr);
        assertEquals(UDP6, kernel.sent.get(1).packet);
        assertEquals("10020000000000016c6f300000000000", kernel.sent.get(2).sockaddr);
        assertArrayEquals(new Throwable[3], failures);
    }

    @Test
    void ipv4HeaderChecksumIsRecomputedBeforeSending() throws Exception {
        open(BsdAbi.FREEBSD);
        DivertPacket[] packets = {packet(UDP4_BAD_CHECKSUM, DivertAddress.outbound())};
        assertEquals(1, socket.write(packets, 1, new Throwable[1]));
        assertEquals(UDP4, kernel.sent.get(0).packet);
        // The expected checksum, independently: the one's complement of the header's word sum.
        byte[] header = ByteBufUtil.decodeHexDump(UDP4.substring(0, 40));
        long sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((header[i] & 0xFF) << 8) | (header[i + 1] & 0xFF);
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        assertEquals(0xFFFF, (int) sum, "UDP4's own checksum is right");
    }

    @Test
    void writeStopsWhereTheKernelWouldBlockAndNamesTheDescriptor() throws Exception {
        open(BsdAbi.FREEBSD);
        DivertPacket[] packets = {
            packet(UDP4, DivertAddress.outbound()),
            packet(UDP4, DivertAddress.outbound()),
            packet(UDP4, DivertAddress.outbound())
        };
        kernel.sendErrors.add(0);
        kernel.sendErrors.add(Errno.EAGAIN);
        Throwable[] failures = new Throwable[3];
        assertEquals(1, socket.write(packets, 3, failures));
        assertEquals(socket.fds()[0], socket.blockedFd());
        assertArrayEquals(new Throwable[3], failures);
        assertEquals(1, kernel.sent.size());
    }

    @Test
    void linuxVerdictsAreRefusedAtWriteTimeAndTheOthersAreSent() throws Exception {
        open(BsdAbi.FREEBSD);
        DivertAddress read = new DivertAddress(PORT, Direction.OUTBOUND, null, null, 100, 0);
        DivertPacket[] packets = {
            packet(UDP4, read.repeat(5)),
            packet(UDP4, read.handOff(2)),
            packet(UDP4, read.withConnmark(1)),
            packet(UDP4, read)
        };
        Throwable[] failures = new Throwable[4];
        assertEquals(4, socket.write(packets, 4, failures));
        assertTrue(failures[0].getMessage().contains("write with another tag"), failures[0].getMessage());
        assertTrue(failures[1].getMessage().contains("hand-off"), failures[1].getMessage());
        assertTrue(failures[2].getMessage().contains("connmark"), failures[2].getMessage());
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(UnsupportedOperationException.class, failures[i]);
        }
        assertNull(failures[3]);
        assertEquals(1, kernel.sent.size());
    }

    @Test
    void refusedPacketFailsAloneWithItsErrnoAndTheOthersAreSent() throws Exception {
        open(BsdAbi.FREEBSD);
        DivertPacket[] packets = {
            packet(UDP4, DivertAddress.outbound()),
            packet(UDP4, DivertAddress.inbound("nope0")),
            packet(UDP6, DivertAddress.outbound())
        };
        kernel.sendErrors.add(0);
        kernel.sendErrors.add(Errno.EADDRNOTAVAIL);
        Throwable[] failures = new Throwable[3];
        assertEquals(3, socket.write(packets, 3, failures));
        assertNull(failures[0]);
        DivertIoException e = assertInstanceOf(DivertIoException.class, failures[1]);
        assertEquals("EADDRNOTAVAIL", e.errnoName());
        assertTrue(e.getMessage().contains("no interface named nope0"), e.getMessage());
        assertNull(failures[2]);
        assertEquals(2, kernel.sent.size());
        assertEquals(UDP6, kernel.sent.get(1).packet);
    }

    @Test
    void malformedPacketFailsWithEinvalWithoutReachingTheKernel() throws Exception {
        open(BsdAbi.FREEBSD);
        // Total length 0x40 is beyond the 28 bytes written.
        String tooShort = "4500004000004000401100000a0000010a000002" + "3039003500080000";
        DivertPacket[] packets = {
            packet(UDP4, DivertAddress.outbound()),
            packet(tooShort, DivertAddress.outbound()),
            packet(UDP4, DivertAddress.outbound())
        };
        Throwable[] failures = new Throwable[3];
        assertEquals(3, socket.write(packets, 3, failures));
        DivertIoException e = assertInstanceOf(DivertIoException.class, failures[1]);
        assertEquals("EINVAL", e.errnoName());
        assertEquals(2, kernel.sent.size());
        // Order kept: the packet before the refused one went out in a call of its own.
        assertEquals(2, kernel.sendCalls.size());
    }

    @Test
    void inboundInterfaceNameLongerThanSevenFailsOnlyThatWrite() throws Exception {
        open(BsdAbi.FREEBSD);
        DivertPacket[] packets = {
            packet(UDP4, DivertAddress.inbound("vtnet100")), packet(UDP4, DivertAddress.outbound())
        };
        Throwable[] failures = new Throwable[2];
        assertEquals(2, socket.write(packets, 2, failures));
        assertInstanceOf(IllegalArgumentException.class, failures[0]);
        assertNull(failures[1]);
        assertEquals(1, kernel.sent.size());
    }

    @Test
    void openBsdWritesEachPacketThroughTheSocketOfItsIpVersionInOrder() throws Exception {
        kernel.socketResults.add(5);
        kernel.socketResults.add(6);
        open(BsdAbi.OPENBSD);
        DivertPacket[] packets = {
            packet(UDP4, DivertAddress.outbound()),
            packet(UDP4, DivertAddress.outbound()),
            packet(UDP6, DivertAddress.outbound()),
            packet(UDP4, DivertAddress.inbound(ip("192.168.1.10")))
        };
        Throwable[] failures = new Throwable[4];
        assertEquals(4, socket.write(packets, 4, failures));
        assertEquals(List.of(5, 6, 5), kernel.sendCalls);
        assertEquals("10020000000000000000000000000000", kernel.sent.get(0).sockaddr);
        assertEquals("1c180000" + "00".repeat(24), kernel.sent.get(2).sockaddr);
        assertEquals("10020000c0a8010a0000000000000000", kernel.sent.get(3).sockaddr);
        assertArrayEquals(new Throwable[4], failures);
    }

    @Test
    void openBsdRefusesAnIpv4TotalLengthShorterThanTheBytesWrittenAndFreeBsdSendsIt() throws Exception {
        // rip_chkhdr wants ip_len == the bytes written; FreeBSD's div_output only ip_len <= them.
        String trailing = UDP4 + "deadbeef";
        kernel.socketResults.add(5);
        kernel.socketResults.add(6);
        open(BsdAbi.OPENBSD);
        Throwable[] failures = new Throwable[1];
        assertEquals(1, socket.write(new DivertPacket[] {packet(trailing, DivertAddress.outbound())}, 1, failures));
        DivertIoException e = assertInstanceOf(DivertIoException.class, failures[0]);
        assertEquals("EINVAL", e.errnoName());
        assertTrue(
                e.getMessage()
                        .contains(
                                "OpenBSD needs the IPv4 total length to equal the bytes written: 28 declared, 32 written"),
                e.getMessage());
        assertTrue(kernel.sent.isEmpty());
        socket.close();

        FakeBsdKernel freeBsd = new FakeBsdKernel();
        socket = BsdDivertSocket.open(BsdAbi.FREEBSD, freeBsd, config, PORT);
        failures[0] = null;
        assertEquals(1, socket.write(new DivertPacket[] {packet(trailing, DivertAddress.outbound())}, 1, failures));
        assertNull(failures[0]);
        assertEquals(trailing, freeBsd.sent.get(0).packet);
    }

    @Test
    void openBsdRefusesIpOptionsWhoseLengthsDoNotWalkTheHeader() {
        // Header length 24: one option of type 0x83 (loose source route) claiming 8 bytes in 4.
        String badOption = "4600002000004000401100000a0000010a000002" + "83080000" + "3039003500080000";
        ByteBuf packet = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(badOption));
        String reason = BsdDivertSocket.openBsdIpv4Malformation(packet, 0, packet.readableBytes());
        assertTrue(reason != null && reason.contains("option 131 at byte 20"), reason);
        // No-operation padding and an end-of-list are sound.
        String padded = "4600002000004000401100000a0000010a000002" + "01010100" + "3039003500080000";
        ByteBuf ok = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(padded));
        assertNull(BsdDivertSocket.openBsdIpv4Malformation(ok, 0, ok.readableBytes()));
    }

    @Test
    void openBsdEinvalHintNamesTheExactLengthRule() {
        assertTrue(BsdHints.writeHint(BsdAbi.OPENBSD, Errno.EINVAL, DivertAddress.outbound())
                .contains("total length equal to the bytes written"));
    }

    @Test
    void freeBsdNoDivertHintNamesTheModuleAndAJailWithoutVnet() {
        // 13 as root and a jail without VNET both give EPROTONOSUPPORT: kldload alone misleads.
        String hint = BsdHints.socketHint(BsdAbi.FREEBSD, Errno.EPROTONOSUPPORT, PORT);
        assertTrue(hint.contains("kldload ipdivert"), hint);
        assertTrue(hint.contains("jail without VNET"), hint);
    }

    @Test
    void openBsdInboundInjectionByNameUsesTheInterfacesAddressOfThePacketsFamily() throws Exception {
        kernel.socketResults.add(5);
        kernel.socketResults.add(6);
        open(BsdAbi.OPENBSD);
        String loopback =
                java.net.NetworkInterface.getByInetAddress(ip("127.0.0.1")).getName();
        DivertPacket[] packets = {packet(UDP4, DivertAddress.inbound(loopback))};
        Throwable[] failures = new Throwable[1];
        assertEquals(1, socket.write(packets, 1, failures));
        assertNull(failures[0]);
        assertEquals("100200007f0000010000000000000000", kernel.sent.get(0).sockaddr);
    }

    @Test
    void openBsdInboundInjectionByUnknownNameFailsThatWrite() throws Exception {
        kernel.socketResults.add(5);
        kernel.socketResults.add(6);
        open(BsdAbi.OPENBSD);
        DivertPacket[] packets = {packet(UDP6, DivertAddress.inbound("nosuch0"))};
        Throwable[] failures = new Throwable[1];
        assertEquals(1, socket.write(packets, 1, failures));
        IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, failures[0]);
        assertTrue(e.getMessage().contains("interface nosuch0 has none"), e.getMessage());
        assertTrue(kernel.sent.isEmpty());
    }

    @Test
    void closeClosesEveryDescriptorOnce() throws Exception {
        kernel.socketResults.add(5);
        kernel.socketResults.add(6);
        open(BsdAbi.OPENBSD);
        kernel.deliver(5, "10020000000000000000000000000000", UDP4);
        DivertPacket[] out = new DivertPacket[2];
        assertEquals(1, socket.read(5, PooledByteBufAllocator.DEFAULT, out));
        toRelease.add(out[0]);
        socket.close();
        socket.close();
        assertEquals(List.of(5, 6), kernel.closed);
        assertEquals(DivertSocket.WOULD_BLOCK, socket.read(5, PooledByteBufAllocator.DEFAULT, out));
    }

    // ---- hints ----

    @Test
    void writeHintsExplainTheErrnosTheDivertManualLists() {
        DivertAddress out = DivertAddress.outbound();
        assertTrue(BsdHints.writeHint(BsdAbi.FREEBSD, Errno.EINVAL, out).contains("header"));
        assertTrue(BsdHints.writeHint(BsdAbi.FREEBSD, Errno.ENOBUFS, out).contains("dropped"));
        assertTrue(BsdHints.writeHint(BsdAbi.OPENBSD, Errno.EMSGSIZE, out).contains("IP_MAXPACKET"));
        assertTrue(BsdHints.writeHint(BsdAbi.FREEBSD, Errno.EAFNOSUPPORT, out).contains("neither IPv4"));
        assertTrue(BsdHints.writeHint(BsdAbi.OPENBSD, Errno.EADDRNOTAVAIL, DivertAddress.inbound(ip("10.9.9.9")))
                .contains("10.9.9.9"));
        assertNull(BsdHints.writeHint(BsdAbi.FREEBSD, Errno.EBADF, out));
    }
}
