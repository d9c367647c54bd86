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
package org.nettydivert.transport.nfqueue;

import static org.nettydivert.transport.nfqueue.LinuxAbi.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.net.InetAddress;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertChannelConfig;
import org.nettydivert.transport.DivertPacket;
import org.nettydivert.transport.PacketMetadata;
import org.nettydivert.transport.spi.DivertSocket;
import org.nettydivert.transport.spi.PacketAccess;
import org.nettydivert.transport.spi.ReadAddress;
import org.nettydivert.transport.spi.SocketContext;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Errors;
import org.nettydivert.transport.unix.InterfaceNames;
import org.nettydivert.transport.unix.MsgArray;
import org.nettydivert.transport.unix.MsgLayout;
import org.nettydivert.transport.unix.NetNamespace;

/**
 * Linux: a DivertChannel bound to an NFQUEUE queue, speaking nfnetlink_queue directly over a
 * netlink socket. This class reads: recvmmsg fills one pooled direct buffer per netlink message,
 * {@link NfqueueMessages.PacketView} reads each packet message in place, and each packet's
 * content is a {@link VerdictBuf} over a copy of the payload (up to 16 KiB) or over the payload
 * bytes inside that buffer. The parts it wires do the rest: {@link VerdictEngine} gives every
 * packet exactly one verdict, {@link RawInjector} sends new packets, {@link InterfaceNames}
 * names devices, and all system calls go through {@link NfqueueIo}.
 */
public final class NfqueueSocket extends DivertSocket {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(NfqueueSocket.class);

    /** Netlink and nfqueue headers before the payload of a packet message, generously. */
    private static final int MESSAGE_OVERHEAD = 512;
    /**
     * Payloads up to this size are copied out of the receive slot into a buffer of their own
     * size (a pooled size class of Netty's allocators), so that the slot, sized for the largest
     * packet, stays with the socket for the next read. Larger payloads keep the slot.
     */
    private static final int COPY_LIMIT = 16384;
    /**
     * The most packet bytes a netlink attribute can carry (its length is 16 bits, header
     * included): the kernel copies no more of a packet, whatever copy range was asked for.
     */
    private static final int MAX_COPY_RANGE = 0xFFFF - NLA_HDRLEN;

    private final SocketContext channel;
    private final int queue;
    private final NfqueueIo io;
    private final RawInjector injector;
    private final VerdictEngine engine;
    private final InterfaceNames interfaces;
    private final NfqueueMessages.PacketView view = new NfqueueMessages.PacketView();
    private final int[] fds;
    private final int slotSize;
    private final int batchSize;
    private final ByteBuf[] slots;
    private final MsgArray receive;
    private final KernelQueueCounters kernelCounters;
    /** The network namespace the sockets were opened in (NETWORK_NAMESPACE), or null. */
    private final NetNamespace namespace;

    private volatile boolean closed;
    private long overflows;
    private long packetsTruncated;

    /** The socket of {@code channel} for queue {@code queue}, over {@code io} and {@code injector}, which it now owns. */
    public NfqueueSocket(SocketContext channel, int queue, NfqueueIo io, RawInjector injector) {
        this(channel, queue, io, injector, KernelQueueCounters.ofCallingThread(queue), null);
    }

    private NfqueueSocket(
            SocketContext channel,
            int queue,
            NfqueueIo io,
            RawInjector injector,
            KernelQueueCounters kernelCounters,
            NetNamespace namespace) {
        this.channel = channel;
        this.kernelCounters = kernelCounters;
        this.namespace = namespace;
        this.interfaces = new InterfaceNames(namespace);
        this.queue = queue;
        this.io = io;
        this.injector = injector;
        int[] raw = injector.fds();
        fds = new int[1 + raw.length];
        fds[0] = io.netlinkFd();
        System.arraycopy(raw, 0, fds, 1, raw.length);
        DivertChannelConfig config = channel.config();
        slotSize = config.getMaxPacketSize() + MESSAGE_OVERHEAD;
        batchSize = config.getBatchSize();
        slots = new ByteBuf[batchSize];
        receive = new MsgArray(MsgLayout.LINUX, batchSize, batchSize);
        engine = new VerdictEngine(queue, config, io, injector, channel::eventLoop, channel::flushPendingVerdictsSoon);
    }

    public static NfqueueSocket open(SocketContext channel, DivertAddress address) throws IOException {
        String namespaceName = channel.config().getNetworkNamespace();
        if (namespaceName != null) {
            return openInNamespace(channel, address.port(), namespaceName);
        }
        int queue = address.port();
        NativeNfqueueIo io = NativeNfqueueIo.open(queue, channel.config());
        // Reading and reinjecting work without raw sockets; injecting new packets will say why not.
        RawInjector injector = RawInjector.open(io, channel.config().getInjectMark());
        try {
            return new NfqueueSocket(channel, queue, io, injector);
        } catch (Throwable t) {
            injector.close();
            io.close(io.netlinkFd());
            throw t;
        }
    }

    /**
     * Opens the netlink and raw sockets inside network namespace {@code name}, on a short-lived
     * thread that enters it (sockets stay in the namespace they were made in), and the kernel's
     * counters file there too: the event loop stays where it is.
     */
    private static NfqueueSocket openInNamespace(SocketContext channel, int queue, String name) throws IOException {
        NetNamespace namespace = NetNamespace.open(name);
        Object[] opened;
        try {
            opened = namespace.call(() -> {
                NativeNfqueueIo io = NativeNfqueueIo.open(queue, channel.config());
                try {
                    RawInjector injector = RawInjector.open(io, channel.config().getInjectMark());
                    return new Object[] {io, injector, KernelQueueCounters.openedInCallingThread(queue)};
                } catch (Throwable t) {
                    io.close(io.netlinkFd());
                    throw t;
                }
            });
        } catch (Throwable t) {
            namespace.close();
            throw t;
        }
        NativeNfqueueIo io = (NativeNfqueueIo) opened[0];
        RawInjector injector = (RawInjector) opened[1];
        KernelQueueCounters counters = (KernelQueueCounters) opened[2];
        try {
            return new NfqueueSocket(channel, queue, io, injector, counters, namespace);
        } catch (Throwable t) {
            injector.close();
            io.close(io.netlinkFd());
            counters.close();
            namespace.close();
            throw t;
        }
    }

    @Override
    public int[] fds() {
        return fds;
    }

    @Override
    public boolean isReadable(int fd) {
        return fd == io.netlinkFd();
    }

    @Override
    public int read(int readFd, ByteBufAllocator allocator, DivertPacket[] out) throws IOException {
        if (closed) {
            return WOULD_BLOCK;
        }
        receive.clear();
        for (int i = 0; i < batchSize; i++) {
            ByteBuf slot = slots[i];
            if (slot != null && slot.refCnt() > 1) {
                // A packet of the last read still holds this buffer (a view of a payload over
                // 16 KiB): it keeps it, and this read gets a fresh one. Checked here rather than
                // right after the last read so that packets the pipeline has written or released
                // since, as a pass-through does before the next read, leave it to be reused: a GSO
                // stream of 64 KiB packets then reads without allocating a buffer per packet.
                slot.release();
                slots[i] = null;
            }
            if (slots[i] == null) {
                slots[i] = allocator.directBuffer(slotSize, slotSize);
            }
            receive.addMessage(0);
            receive.addIovec(slots[i].memoryAddress(), slotSize);
        }
        int received = io.receive(receive.address(), batchSize);
        if (received < 0) {
            int errno = io.errno();
            if (errno == Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (errno == Errno.ENOBUFS) {
                // The kernel could not deliver some packets (they were dropped, or accepted with
                // FAIL_OPEN): counted, and reading goes on.
                overflows++;
                return 0;
            }
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw Errors.newException("recvmmsg", errno, null);
        }
        long now = System.nanoTime();
        int count = 0;
        for (int i = 0; i < received; i++) {
            ByteBuf slot = slots[i];
            count = parse(slot, receive.messageLength(i), now, out, count, allocator);
        }
        return count;
    }

    /** Parses the netlink messages of one datagram; returns the new packet count in {@code out}. */
    private int parse(ByteBuf slot, int length, long now, DivertPacket[] out, int count, ByteBufAllocator allocator) {
        for (int m = 0; m + NLMSG_HDRLEN <= length; ) {
            int messageLength = slot.getIntLE(m);
            if (messageLength < NLMSG_HDRLEN || m + messageLength > length) {
                break;
            }
            int type = slot.getUnsignedShortLE(m + 4);
            if (type == NfqueueMessages.PACKET_TYPE) {
                if (count < out.length) {
                    DivertPacket packet = packet(slot, m, messageLength, now, allocator);
                    if (packet != null) {
                        out[count++] = packet;
                    }
                } else {
                    // More packets in one datagram than the batch holds: let the kernel queue it again.
                    engine.repeat(NfqueueMessages.packetId(slot, m, messageLength));
                }
            } else if (type == NLMSG_ERROR) {
                int errno = -slot.getIntLE(m + NLMSG_HDRLEN);
                if (errno != 0) {
                    long id = slot.getUnsignedIntLE(m + NLMSG_HDRLEN + 4 + 8);
                    channel.pipeline()
                            .fireExceptionCaught(Errors.newException(
                                    "NFQNL_MSG_VERDICT", errno, "the kernel refused the verdict for packet id " + id));
                }
            }
            m += align4(messageLength);
        }
        return count;
    }

    private DivertPacket packet(ByteBuf slot, int m, int messageLength, long now, ByteBufAllocator allocator) {
        NfqueueMessages.PacketView p = view;
        p.parse(slot, m, messageLength);
        long id = p.id;
        if (id < 0) {
            return null;
        }
        if (p.payload < 0) {
            engine.repeat(id);
            return null;
        }
        engine.track(id, now);
        boolean inbound = p.isInbound();
        InterfaceNames.Interface iface = interfaces.lookup(inbound ? p.inIndex : p.outIndex, now);
        DivertAddress.Direction direction =
                inbound ? DivertAddress.Direction.INBOUND : DivertAddress.Direction.OUTBOUND;
        String name = iface == null ? null : iface.name;
        InetAddress ifaceAddress = iface == null ? null : iface.address;
        int truncatedFrom = p.isTruncated() ? p.capLength : 0;
        if (truncatedFrom > 0) {
            truncated(id, p.payloadLength, p.capLength);
        }
        VerdictBuf content = p.payloadLength > COPY_LIMIT
                ? new VerdictBuf(engine, id, p.mark, slot, p.payload, p.payloadLength)
                : VerdictBuf.copyOf(engine, id, p.mark, slot, p.payload, p.payloadLength, allocator);
        if ((p.skbInfo & NFQA_SKB_CSUMNOTREADY) != 0) {
            // The divert contract's complete checksum, made when the pipeline first looks.
            content.completeChecksumOnFirstAccess();
        }
        PacketMetadata metadata = content.metadata(p, slot, interfaces);
        ReadAddress read = content.readAddress();
        if (read == null) {
            return new DivertPacket(
                    content,
                    new DivertAddress(queue, direction, name, ifaceAddress, id, p.mark),
                    truncatedFrom,
                    metadata);
        }
        // A pooled content: its address waits in the buffer's own ReadAddress until asked for.
        read.set(queue, direction, name, ifaceAddress, id, p.mark);
        return PacketAccess.readPacket(content, read, truncatedFrom, metadata);
    }

    private void truncated(long id, int copied, int whole) {
        if (packetsTruncated++ == 0) {
            logger.warn(
                    "NFQUEUE {}: packet id {} is {} bytes long and was read truncated to {}: the kernel copies at most"
                            + " DivertChannelOption.MAX_PACKET_SIZE ({}) bytes of a packet, and never more than {}."
                            + " DivertPacket.isTruncated() says so; written back unchanged such a packet passes"
                            + " whole. Further truncated packets are counted in DivertStats.packetsTruncated()"
                            + " without a log line.",
                    queue,
                    id,
                    whole,
                    copied,
                    channel.config().getMaxPacketSize(),
                    MAX_COPY_RANGE);
        }
    }

    @Override
    public int write(DivertPacket[] packets, int count, Throwable[] failures) {
        return engine.write(packets, count, failures);
    }

    @Override
    public int blockedFd() {
        return engine.blockedFd();
    }

    @Override
    public boolean flushPendingVerdicts() throws IOException {
        return engine.flushPendingVerdicts();
    }

    // ---- counters and close

    @Override
    public long releaseDrops() {
        return engine.releaseDrops();
    }

    @Override
    public long timeoutDrops() {
        return engine.timeoutDrops();
    }

    @Override
    public long overflows() {
        return overflows;
    }

    @Override
    public long reinjectedUnchanged() {
        return engine.reinjectedUnchanged();
    }

    @Override
    public KernelQueueCounters kernelCounters() {
        return kernelCounters;
    }

    @Override
    public long packetsTruncated() {
        return packetsTruncated;
    }

    /** Sends that answered several packets with one NFQNL_MSG_VERDICT_BATCH. */
    public long batchVerdicts() {
        return engine.batchVerdicts();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        engine.close();
        kernelCounters.refresh(); // the last values: the queue's line goes with the socket
        kernelCounters.close();
        if (namespace != null) {
            namespace.close();
        }
        // Closing the netlink socket unbinds the queue; the kernel drops what it still holds.
        io.close(io.netlinkFd());
        injector.close();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                slots[i].release();
                slots[i] = null;
            }
        }
        receive.release();
    }
}
