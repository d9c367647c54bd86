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
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;

/**
 * {@code --queue-balance}: one rule spreads flows over two NFQUEUE queues, each read by its own
 * DivertChannel on its own event loop; together they pass every datagram exactly once.
 *
 * <p>The kernel picks the queue from a hash of the packet's addresses and protocol (so that
 * both directions of a flow meet in one queue; ports are not hashed), so the senders here are
 * 64 sockets on 64 loopback addresses, 127.0.0.2 to 127.0.0.65, each with its own port, all
 * sending to one receiver on 127.0.0.1.
 */
@IsolatedNetwork
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NfqueueQueueBalanceTest {
    private static final int QUEUE_A = 10;
    private static final int QUEUE_B = 11;
    private static final int SENDERS = 64;
    private static final int DATAGRAMS_PER_SENDER = 200;
    private static final int TOTAL = SENDERS * DATAGRAMS_PER_SENDER;
    /**
     * Datagrams sent but not yet received: keeps the receiver's socket buffer from overflowing,
     * and each queue below its {@link #QUEUE_MAXLEN}.
     */
    private static final int WINDOW = 64;
    /**
     * A short kernel queue per channel (the default is 4096): the channel's bookkeeping of
     * packets awaiting a verdict is sized from it, so each channel's wraps around dozens of times.
     */
    private static final int QUEUE_MAXLEN = 128;

    @Test
    void flowsSpreadOverTwoQueuesAreEachReadByTheChannelOnThatQueueAndEveryDatagramArrivesOnce(TestNetwork network)
            throws Exception {
        Host host = network.host();
        EventLoopGroup divertGroup = host.eventLoopGroup(2, DivertIoHandler.newFactory());
        EventLoopGroup udpGroup = host.eventLoopGroup(1, NioIoHandler.newFactory());
        DatagramChannel[] senders = new DatagramChannel[SENDERS];
        Channel receiver = null;
        DivertChannel divertA = null;
        DivertChannel divertB = null;
        try {
            Receiver received = new Receiver();
            Bootstrap receiverBootstrap = new Bootstrap()
                    .group(udpGroup)
                    .channel(NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .handler(received);
            // Netty opens the socket on the binding thread: bind inside the namespace.
            receiver = host.call(() -> receiverBootstrap
                    .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))
                    .sync()
                    .channel());
            int port = ((InetSocketAddress) receiver.localAddress()).getPort();
            InetSocketAddress[] senderAddresses = new InetSocketAddress[SENDERS];
            for (int i = 0; i < SENDERS; i++) {
                InetAddress source = senderAddress(i);
                senders[i] = host.call(() -> DatagramChannel.open().bind(new InetSocketAddress(source, 0)));
                senderAddresses[i] = (InetSocketAddress) senders[i].getLocalAddress();
            }
            received.senders = senderAddresses;

            // Two loops of one group, one channel on each.
            Iterator<EventExecutor> loops = divertGroup.iterator();
            EventLoop loopA = (EventLoop) loops.next();
            EventLoop loopB = (EventLoop) loops.next();
            QueueObserver seenA = new QueueObserver(QUEUE_A, port);
            QueueObserver seenB = new QueueObserver(QUEUE_B, port);
            WriteBackHandler writeBackA = new WriteBackHandler(seenA::see);
            WriteBackHandler writeBackB = new WriteBackHandler(seenB::see);
            Bootstrap divertBootstrap = new Bootstrap().option(DivertChannelOption.QUEUE_MAXLEN, QUEUE_MAXLEN);
            divertA = host.bind(QUEUE_A, writeBackA, divertBootstrap.clone().group(loopA));
            divertB = host.bind(QUEUE_B, writeBackB, divertBootstrap.clone().group(loopB));
            assertNotSame(divertA.eventLoop(), divertB.eventLoop(), "one loop per channel");
            host.divert(DivertRule.udp().toPort(port).ipv4Only().balance(QUEUE_A, QUEUE_B));

            DivertChannel divertA0 = divertA;
            DivertChannel divertB0 = divertB;
            InetSocketAddress destination = (InetSocketAddress) receiver.localAddress();
            ByteBuffer datagram = ByteBuffer.allocate(Receiver.MAX_LENGTH);
            for (int seq = 0; seq < DATAGRAMS_PER_SENDER; seq++) {
                for (int sender = 0; sender < SENDERS; sender++) {
                    assertTrue(
                            received.window.tryAcquire(10, TimeUnit.SECONDS),
                            () -> "no datagram arrived for 10 s; " + received.missing() + "; "
                                    + divertStats(divertA0, divertB0));
                    datagram.clear();
                    Receiver.fill(datagram, sender, seq);
                    datagram.flip();
                    assertEquals(datagram.remaining(), senders[sender].send(datagram, destination));
                }
            }
            assertTrue(
                    received.all.await(20, TimeUnit.SECONDS),
                    () -> received.missing() + "; " + divertStats(divertA0, divertB0));
            received.assertNoFailure();

            DivertStats statsA = EndToEnd.awaitSettled(host, QUEUE_A, divertA, writeBackA, Duration.ofSeconds(10));
            DivertStats statsB = EndToEnd.awaitSettled(host, QUEUE_B, divertB, writeBackB, Duration.ofSeconds(10));
            writeBackA.assertNoFailure();
            writeBackB.assertNoFailure();
            seenA.assertOnlyOurDatagramsOnOneThread();
            seenB.assertOnlyOurDatagramsOnOneThread();

            // Both queues had flows, and each flow stayed in its queue.
            assertTrue(seenA.datagrams.get() > 0 && seenB.datagrams.get() > 0, seenA + "; " + seenB);
            assertNotSame(seenA.thread.get(), seenB.thread.get(), "each queue read on its own loop");
            for (int sender = 0; sender < SENDERS; sender++) {
                assertTrue(
                        seenA.senders.contains(sender) != seenB.senders.contains(sender),
                        "sender " + sender + " went through exactly one queue: " + seenA + "; " + seenB);
            }
            // Every datagram went through exactly one of the channels.
            assertEquals(TOTAL, seenA.datagrams.get() + seenB.datagrams.get(), seenA + "; " + seenB);
            for (int i = 0; i < TOTAL; i++) {
                assertEquals(1, seenA.diverted.get(i) + seenB.diverted.get(i), "datagram " + i + " diverted once");
            }
            EndToEnd.assertEveryPacketWrittenBack(statsA, seenA.datagrams.get(), EndToEnd.queueStats(host, QUEUE_A));
            EndToEnd.assertEveryPacketWrittenBack(statsB, seenB.datagrams.get(), EndToEnd.queueStats(host, QUEUE_B));
        } finally {
            for (DatagramChannel sender : senders) {
                if (sender != null) {
                    sender.close();
                }
            }
        }
    }

    /** Sender {@code i} sends from its own loopback address; distinct ports alone would not spread flows. */
    private static InetAddress senderAddress(int i) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes make an IPv4 address", e);
        }
    }

    /** For failure messages: the counters as they are now, read from the test's thread. */
    private static String divertStats(DivertChannel a, DivertChannel b) {
        return "queue " + QUEUE_A + " " + a.stats() + ", queue " + QUEUE_B + " " + b.stats();
    }

    /** What one divert channel saw: fed on its event loop, read by the test afterwards. */
    private static final class QueueObserver {
        final int queue;
        final int port;
        final AtomicLong datagrams = new AtomicLong();
        final AtomicLong strangers = new AtomicLong();
        /** The senders (by number) whose datagrams went through here. */
        final Set<Integer> senders = ConcurrentHashMap.newKeySet();
        /** Per datagram (sender * DATAGRAMS_PER_SENDER + seq): how often it went through here. */
        final AtomicIntegerArray diverted = new AtomicIntegerArray(TOTAL);

        final AtomicReference<Thread> thread = new AtomicReference<>();
        final AtomicLong otherThreads = new AtomicLong();

        QueueObserver(int queue, int port) {
            this.queue = queue;
            this.port = port;
        }

        void see(DivertPacket packet) {
            if (!thread.compareAndSet(null, Thread.currentThread()) && thread.get() != Thread.currentThread()) {
                otherThreads.incrementAndGet();
            }
            ByteBuf ip = packet.content();
            DivertAddress address = packet.address();
            if (address.port() != queue
                    || address.direction() != DivertAddress.Direction.OUTBOUND
                    || IpPeek.protocol(ip) != IpPeek.UDP
                    || IpPeek.destinationPort(ip) != port) {
                strangers.incrementAndGet();
                return;
            }
            ByteBuffer payload = ByteBuffer.wrap(IpPeek.transportPayload(ip));
            int sender = payload.getInt(0);
            int seq = payload.getInt(4);
            if (sender < 0
                    || sender >= SENDERS
                    || seq < 0
                    || seq >= DATAGRAMS_PER_SENDER
                    || !senderAddress(sender).equals(IpPeek.sourceAddress(ip))) {
                strangers.incrementAndGet();
                return;
            }
            diverted.incrementAndGet(sender * DATAGRAMS_PER_SENDER + seq);
            senders.add(sender);
            datagrams.incrementAndGet();
        }

        void assertOnlyOurDatagramsOnOneThread() {
            assertEquals(0, strangers.get(), "queue " + queue + " saw only the test's datagrams, outbound");
            assertEquals(0, otherThreads.get(), "queue " + queue + " was read on one thread");
        }

        @Override
        public String toString() {
            return "queue " + queue + ": " + datagrams + " datagrams from " + senders.size() + " senders";
        }
    }

    /**
     * The receiving end: checks each datagram's source and content, counts it once, and opens
     * the senders' window by one.
     */
    private static final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {
        static final int HEADER = 8;
        static final int MAX_LENGTH = HEADER + 100;

        /** Where each sender sends from; set before the first datagram is sent. */
        volatile InetSocketAddress[] senders;

        final AtomicIntegerArray arrivals = new AtomicIntegerArray(TOTAL);
        final Semaphore window = new Semaphore(WINDOW);
        final CountDownLatch all = new CountDownLatch(TOTAL);
        final AtomicReference<String> failure = new AtomicReference<>();

        /** Datagram {@code seq} of {@code sender}: both numbers, then a length and bytes that derive from them. */
        static void fill(ByteBuffer out, int sender, int seq) {
            out.putInt(sender).putInt(seq);
            int length = (sender * 7 + seq * 13) % (MAX_LENGTH - HEADER + 1);
            for (int k = 0; k < length; k++) {
                out.put((byte) (sender * 31 + seq * 17 + k));
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            byte[] bytes = new byte[content.readableBytes()];
            content.getBytes(content.readerIndex(), bytes);
            String problem = check(bytes, packet.sender());
            if (problem != null) {
                failure.compareAndSet(null, problem);
                return;
            }
            int index = ByteBuffer.wrap(bytes).getInt(0) * DATAGRAMS_PER_SENDER
                    + ByteBuffer.wrap(bytes).getInt(4);
            if (arrivals.incrementAndGet(index) == 1) {
                all.countDown();
                window.release();
            } else {
                failure.compareAndSet(null, "datagram " + index + " arrived twice");
            }
        }

        private String check(byte[] bytes, InetSocketAddress from) {
            if (bytes.length < HEADER) {
                return "a datagram of " + bytes.length + " bytes from " + from;
            }
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int sender = in.getInt(0);
            int seq = in.getInt(4);
            if (sender < 0 || sender >= SENDERS || seq < 0 || seq >= DATAGRAMS_PER_SENDER) {
                return "a datagram numbered " + sender + "/" + seq + " from " + from;
            }
            if (!senders[sender].equals(from)) {
                return "datagram " + sender + "/" + seq + " came from " + from + ", not " + senders[sender];
            }
            ByteBuffer expected = ByteBuffer.allocate(MAX_LENGTH);
            fill(expected, sender, seq);
            if (!Arrays.equals(bytes, Arrays.copyOf(expected.array(), expected.position()))) {
                return "datagram " + sender + "/" + seq + " arrived with other bytes than were sent";
            }
            return null;
        }

        void assertNoFailure() {
            String problem = failure.get();
            if (problem != null) {
                throw new AssertionError(problem);
            }
        }

        String missing() {
            int count = 0;
            int first = -1;
            for (int i = 0; i < TOTAL; i++) {
                if (arrivals.get(i) == 0) {
                    count++;
                    first = first < 0 ? i : first;
                }
            }
            return count + " of " + TOTAL + " datagrams not received (first: " + first + ")"
                    + (failure.get() == null ? "" : "; " + failure.get());
        }
    }
}
