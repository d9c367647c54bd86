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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nettydivert.transport.bsd.BsdAbi;
import org.nettydivert.transport.bsd.BsdDivertSocket;
import org.nettydivert.transport.bsd.FakeBsdKernel;
import org.nettydivert.transport.nfqueue.EpollPoller;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.IpPackets;
import org.nettydivert.transport.unix.Native;

/**
 * The divert contract's kernel for the BSD backend without a BSD kernel: the real {@link
 * BsdDivertSocket}, under a real {@link DivertChannel} on a real event loop, makes its system
 * calls to a {@link FakeBsdKernel}. The fake's descriptors are real eventfds here, readable
 * while datagrams wait, so that the loop's poller (epoll on Linux) watches them as it would the
 * divert sockets; the calls are serialised, since the test thread delivers while the loop reads.
 * What the socket sends for {@link DivertContract#PORT} is what "passed".
 */
final class FakeBsdContractKernel implements ContractKernel, BsdDivertSocket.Syscalls {
    /** FreeBSD: outbound, rule 100 (the tag, host order), no address, no name. */
    private static final String FREEBSD_OUTBOUND = "10026400000000000000000000000000";
    /** OpenBSD: outbound, an AF_INET sockaddr with no address. */
    private static final String OPENBSD_OUTBOUND = "10020000000000000000000000000000";

    private final BsdAbi abi;
    private final FakeBsdKernel fake = new FakeBsdKernel();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
    private final List<Integer> eventfds = new ArrayList<>();
    private final List<byte[]> passed = new ArrayList<>();
    private int sentSeen;
    private int readFd = -1;

    FakeBsdContractKernel(BsdAbi abi) {
        this.abi = abi;
        // FreeBSD opens one socket, OpenBSD one per address family.
        for (int i = 0; i < 2; i++) {
            int fd = Native.Linux.eventfd(0, EpollPoller.EFD_CLOEXEC | EpollPoller.EFD_NONBLOCK);
            if (fd < 0) {
                throw new AssertionError("eventfd: " + Errno.name(Native.errno()));
            }
            eventfds.add(fd);
            fake.socketResults.add(fd);
        }
    }

    @Override
    public DivertChannel bind(ChannelHandler handler) throws Exception {
        DivertChannel channel =
                new DivertChannel((ch, address) -> BsdDivertSocket.open(abi, this, ch.config(), address.port()));
        channel.pipeline().addLast(handler);
        group.register(channel).sync();
        channel.bind(DivertAddress.port(DivertContract.QUEUE)).sync();
        synchronized (this) {
            readFd = channel.socket().fds()[0];
        }
        return channel;
    }

    @Override
    public synchronized void divert(byte[] payload) {
        ByteBuf packet = DivertContract.udp(40000, payload);
        try {
            fake.deliver(
                    readFd, abi == BsdAbi.FREEBSD ? FREEBSD_OUTBOUND : OPENBSD_OUTBOUND, ByteBufUtil.hexDump(packet));
        } finally {
            packet.release();
        }
        signal(readFd, true);
    }

    @Override
    public List<byte[]> passed(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        synchronized (this) {
            while (passed.size() < expected && System.nanoTime() < deadline) {
                wait(20);
            }
            // One that should not be there would come now.
            long quiet = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < quiet) {
                wait(20);
            }
            List<byte[]> result = new ArrayList<>(passed);
            passed.clear();
            return result;
        }
    }

    @Override
    public long waitingForVerdicts() {
        return 0; // a divert socket has no verdicts: a packet not sent is simply lost
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        synchronized (this) {
            for (int fd : eventfds) {
                if (!fake.closed.contains(fd)) {
                    Native.Posix.close(fd);
                }
            }
        }
    }

    /** Makes {@code fd} readable (a count of 1) or not (the count read back to 0). */
    private static void signal(int fd, boolean readable) {
        ByteBuf eight = Unpooled.directBuffer(8).writeLongLE(1);
        try {
            if (readable) {
                Native.Posix.write(fd, eight.memoryAddress(), 8);
            } else {
                Native.Posix.read(fd, eight.memoryAddress(), 8);
            }
        } finally {
            eight.release();
        }
    }

    // ---- the system calls, serialised

    @Override
    public synchronized int socket(int domain, int type, int protocol) {
        return fake.socket(domain, type, protocol);
    }

    @Override
    public synchronized int setsockopt(int fd, int level, int name, long value, int length) {
        return fake.setsockopt(fd, level, name, value, length);
    }

    @Override
    public synchronized int bind(int fd, long address, int length) {
        return fake.bind(fd, address, length);
    }

    @Override
    public synchronized int recvmmsg(int fd, long msgvec, int vlen) {
        int n = fake.recvmmsg(fd, msgvec, vlen);
        if (!fake.waiting.containsKey(fd) || fake.waiting.get(fd).isEmpty()) {
            signal(fd, false);
        }
        return n;
    }

    @Override
    public synchronized int sendmmsg(int fd, long msgvec, int vlen) {
        int n = fake.sendmmsg(fd, msgvec, vlen);
        for (; sentSeen < fake.sent.size(); sentSeen++) {
            byte[] ip = ByteBufUtil.decodeHexDump(fake.sent.get(sentSeen).packet);
            int headerLength = (ip[0] & 0x0F) * 4;
            int destinationPort = (ip[headerLength + 2] & 0xFF) << 8 | ip[headerLength + 3] & 0xFF;
            // As the stack would: a packet with a wrong IPv4 header checksum goes nowhere.
            if (ip[9] == IpPackets.PROTO_UDP
                    && destinationPort == DivertContract.PORT
                    && ipv4HeaderSum(ip, headerLength) == 0xFFFF) {
                passed.add(Arrays.copyOfRange(ip, headerLength + 8, ip.length));
            }
        }
        notifyAll();
        return n;
    }

    /** The ones' complement sum of the IPv4 header: 0xFFFF when its checksum is right. */
    private static int ipv4HeaderSum(byte[] ip, int headerLength) {
        int sum = 0;
        for (int i = 0; i < headerLength; i += 2) {
            sum += (ip[i] & 0xFF) << 8 | ip[i + 1] & 0xFF;
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    @Override
    public synchronized int close(int fd) {
        Native.Posix.close(fd);
        return fake.close(fd);
    }

    @Override
    public synchronized int errno() {
        return fake.errno();
    }

    @Override
    public String toString() {
        return "the fake " + abi + " kernel";
    }
}
