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
import static org.nettydivert.transport.nfqueue.NfqueueMessages.VERDICT_HEADER;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertChannelConfig;
import org.nettydivert.transport.DivertIoException;
import org.nettydivert.transport.DivertPacket;
import org.nettydivert.transport.spi.DivertSocket;
import org.nettydivert.transport.spi.PacketAccess;
import org.nettydivert.transport.spi.ReadAddress;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Errors;
import org.nettydivert.transport.unix.IpPackets;

/**
 * Gives every NFQUEUE packet read exactly one verdict. Writing back: one verdict message per
 * packet, the one its address asks for (NF_ACCEPT, NF_REPEAT, or NF_QUEUE to another queue, and
 * a connmark in NFQA_CT), carrying the payload (its iovec points at the packet's own memory) and
 * mark unless the packet is unchanged, in which case the kernel's copy goes on; a batch of bare
 * plain accepts of the oldest waiting packets becomes one NFQNL_MSG_VERDICT_BATCH. A batch goes out in one sendmsg,
 * which the kernel processes in order before it returns, and before any packet injected after
 * it. Not written: NF_DROP once the packet's {@link VerdictBuf} is released (sent after the read
 * loop, so that a packet whose content was replaced and written in the same loop is not
 * dropped), when it outlives the verdict timeout, or when it must make room in a full {@link
 * VerdictTable}. Event loop thread only, but for {@link #released}.
 */
public final class VerdictEngine implements VerdictBuf.Owner {
    private static final long[] NO_LABELS = {};
    private final int queue;
    private final NfqueueIo io;
    private final RawInjector injector;
    /** The channel's loop, asked each time: a channel may move to another loop after bind. */
    private final Supplier<EventLoop> loop;

    private final Runnable flushSoon;
    private final VerdictTable table;
    private final PendingVerdicts pending = new PendingVerdicts();
    private final long[] batchIds;
    /** Ids of the pending verdicts in the last send that were release drops; -1 for forced ones. */
    private final long[] pendingSent;

    private final VerdictBatch batch;
    private final int sendLimit;
    private final long timeoutNanos;
    private final ScheduledFuture<?> timeoutTask;
    private int blockedFd = -1;
    private volatile boolean closed;

    private long releaseDrops;
    private long timeoutDrops;
    private long reinjectedUnchanged;
    private long batchVerdicts;
    // The verdicts batched for the next send: how many are for unchanged packets, and whether
    // all are bare accepts (no payload, no mark), which a batch verdict can stand for.
    private int batchUnchanged;
    private boolean batchBare;

    /**
     * For queue {@code queue}, sending through {@code io} and {@code injector}; {@code flushSoon}
     * asks the channel to call {@link #flushPendingVerdicts} once its read loop is done.
     */
    VerdictEngine(
            int queue,
            DivertChannelConfig config,
            NfqueueIo io,
            RawInjector injector,
            Supplier<EventLoop> loop,
            Runnable flushSoon) {
        this.queue = queue;
        this.io = io;
        this.injector = injector;
        this.loop = loop;
        this.flushSoon = flushSoon;
        int batchSize = config.getBatchSize();
        table = new VerdictTable(config.getQueueMaxlen());
        batchIds = new long[batchSize];
        batch = new VerdictBatch(queue, batchSize);
        pendingSent = new long[3 * batchSize + 256]; // a bare verdict per iovec of the batch, at most
        sendLimit = io.sendBufferSize() - 64;
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.getVerdictTimeoutMillis());
        long period = Math.max(10, Math.min(1000, config.getVerdictTimeoutMillis() / 4));
        timeoutTask = loop.get().scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    /** Records packet {@code id}, read at {@code nanos}, as waiting for its verdict. */
    void track(long id, long nanos) {
        long evicted = table.add(id, nanos);
        if (evicted != VerdictTable.NONE) {
            timeoutDrops++;
            pending.add(evicted, NF_DROP, true);
        }
    }

    /** Has the kernel queue packet {@code id} again (-1: none), because it could not be taken now. */
    void repeat(long id) {
        if (id >= 0) {
            pending.add(id, NF_REPEAT, true);
        }
    }

    // ---- writing back

    /** As {@link DivertSocket#write}. */
    int write(DivertPacket[] packets, int count, Throwable[] failures) {
        int batchStart = 0; // first packet whose verdict is in the unsent batch
        int batched = 0;
        int bytes = 0;
        beginBatch();
        for (int i = 0; i < count; i++) {
            DivertPacket packet = packets[i];
            // A packet whose address was never asked for goes back with the address it was read
            // with: its fields are read where they wait, and no DivertAddress is made for them.
            ReadAddress read = PacketAccess.readAddress(packet);
            DivertAddress address = read == null ? packet.address() : null;
            ByteBuf content = packet.content();
            int offset = content.readerIndex();
            int length = content.readableBytes();
            if (read == null && !address.hasTag()) {
                // Injection leaves through another socket: what is batched goes first, to keep order.
                if (batched > 0) {
                    if (!sendBatch(batchStart, batched, failures)) {
                        return blocked(batchStart, count, failures);
                    }
                    batched = 0;
                    bytes = 0;
                    beginBatch();
                }
                if (!injector.inject(packet, IpPackets.malformation(content, offset, length), failures, i)) {
                    blockedFd = injector.blockedFd();
                    return blocked(i, count, failures);
                }
                batchStart = i + 1;
                continue;
            }
            // Bytes as the kernel gave them need not go back: its own copy is the packet (whole,
            // even when we were given only its first bytes).
            long tag = read != null ? read.tag() : address.tag();
            int mark = read != null ? read.mark() : address.mark();
            VerdictBuf unchanged = content instanceof VerdictBuf && ((VerdictBuf) content).isUnchanged(this, tag)
                    ? (VerdictBuf) content
                    : null;
            boolean withPayload = unchanged == null;
            Throwable refusal = refusal(packet, read != null ? read.port() : address.port(), tag, batched, withPayload);
            if (refusal != null) {
                failures[i] = refusal;
                if (batched == 0) {
                    batchStart = i + 1;
                }
                continue;
            }
            if (withPayload) {
                IpPackets.updateIpv4HeaderChecksum(content, offset);
            }
            boolean withMark = unchanged == null || mark != unchanged.mark();
            int verdict = read != null ? NF_ACCEPT : verdictOf(address);
            int messageBytes = withPayload ? VERDICT_HEADER + align4(length) : VERDICT_HEADER;
            if (batched > 0 && (bytes + messageBytes > sendLimit || !batch.hasRoomForAccept())) {
                if (!sendBatch(batchStart, batched, failures)) {
                    return blocked(batchStart, count, failures);
                }
                batchStart = i;
                batched = 0;
                bytes = 0;
                beginBatch();
            }
            if (batched == 0) {
                batchStart = i;
            }
            // Labels are rare: their BitSet is made only for a packet that has some.
            long[] labels = read == null && address.hasConnlabels()
                    ? address.connlabels().toLongArray()
                    : NO_LABELS;
            batch.addVerdict(
                    tag,
                    verdict,
                    withMark,
                    mark,
                    read != null ? DivertAddress.NO_CONNMARK : address.connmark(),
                    labels.length > 0 ? labels[0] : 0,
                    labels.length > 1 ? labels[1] : 0,
                    content,
                    offset,
                    withPayload ? length : -1);
            batchIds[batched++] = tag;
            bytes += messageBytes;
            if (unchanged != null) {
                batchUnchanged++;
                // Only a plain accept may become part of a batch verdict, which is NF_ACCEPT for all.
                batchBare &= (read != null || !address.hasVerdictOptions()) && !withMark;
            } else {
                batchBare = false;
            }
            // Packets refused between batched ones keep their failure; sendBatch skips them.
        }
        if (batched > 0 && !sendBatch(batchStart, batched, failures)) {
            return blocked(batchStart, count, failures);
        }
        return count;
    }

    /** The verdict word a packet written back with {@code address} asks for. */
    private static int verdictOf(DivertAddress address) {
        switch (address.verdict()) {
            case REPEAT:
                return NF_REPEAT;
            case HAND_OFF:
                return nfQueueNr(address.handOffQueue());
            default:
                return NF_ACCEPT;
        }
    }

    /** Stops a write at {@code index}: what follows is tried again later, so its failures are forgotten. */
    private static int blocked(int index, int count, Throwable[] failures) {
        Arrays.fill(failures, index, count, null);
        return index;
    }

    /**
     * Why a read packet cannot be written back now, or null. {@code batched} verdicts of this
     * write are not sent yet: their packets are still in the table, but already answered, so a
     * second write of one in the same flush is refused like a write of an answered packet.
     */
    private Throwable refusal(DivertPacket packet, int port, long tag, int batched, boolean withPayload) {
        if (port != queue) {
            return new IllegalArgumentException("the packet was read from NFQUEUE " + port
                    + " and can only be written back through that queue's channel, not queue " + queue);
        }
        if (!table.contains(tag) || isBatched(tag, batched)) {
            return Errors.newException(
                    "NFQNL_MSG_VERDICT",
                    Errno.ENOENT,
                    "packet id " + tag
                            + " has no verdict pending: it was already written, or dropped because it was released"
                            + " or held longer than VERDICT_TIMEOUT_MILLIS");
        }
        if (!withPayload) {
            return null;
        }
        if (packet.isTruncated()) {
            // The kernel would take the bytes we have for the whole packet and cut it short.
            return Errors.newException(
                    "NFQNL_MSG_VERDICT",
                    Errno.EINVAL,
                    "packet id " + tag + " was read truncated ("
                            + packet.content().readableBytes()
                            + " of its " + packet.originalLength() + " bytes) and then changed: a truncated"
                            + " packet can only be written back unchanged, or released to drop it");
        }
        ByteBuf content = packet.content();
        String malformation = IpPackets.malformation(content, content.readerIndex(), content.readableBytes());
        return malformation == null ? null : Errors.newException("NFQNL_MSG_VERDICT", Errno.EINVAL, malformation);
    }

    /** Whether packet {@code id} has a verdict among the first {@code batched} of the unsent batch. */
    private boolean isBatched(long id, int batched) {
        for (int i = 0; i < batched; i++) {
            if (batchIds[i] == id) {
                return true;
            }
        }
        return false;
    }

    private void beginBatch() {
        batch.clear();
        batchUnchanged = 0;
        batchBare = true;
    }

    /**
     * Replaces the batched verdicts with one NFQNL_MSG_VERDICT_BATCH when that says the same: the
     * kernel accepts with it every packet it holds with an id up to the last one's, so it may be
     * sent only when all of them are bare plain accepts (no payload, no mark, no connmark, not a
     * repeat or hand-off) and they are the oldest
     * packets waiting, in arrival order, with no verdict of our own (a drop) pending. Packets not
     * read yet cannot be among them: the kernel queues and sends packets in id order.
     */
    private boolean mergeIntoBatchVerdict(int batched) {
        if (batched < 2 || !batchBare || pending.size() > 0 || !table.areOldest(batchIds, batched)) {
            return false;
        }
        batch.replaceWithBatchVerdict(batchIds[batched - 1], NF_ACCEPT);
        return true;
    }

    /**
     * Sends the batched verdicts for the first {@code batched} packets from {@code from} without
     * a failure. Returns false if the kernel would block; on any other error those packets fail
     * and stay in the table, to be dropped once released, keeping the one-verdict rule.
     */
    private boolean sendBatch(int from, int batched, Throwable[] failures) {
        boolean merged = mergeIntoBatchVerdict(batched);
        if (batch.send(io) < 0) {
            int errno = io.errno();
            if (errno == Errno.EAGAIN) {
                blockedFd = io.netlinkFd();
                return false;
            }
            DivertIoException failure = Errors.newException("sendmsg(NFQNL_MSG_VERDICT)", errno, null);
            for (int i = from, left = batched; left > 0; i++) {
                if (failures[i] == null) {
                    failures[i] = failure;
                    left--;
                }
            }
            return true;
        }
        for (int i = 0; i < batched; i++) {
            table.remove(batchIds[i]);
        }
        reinjectedUnchanged += batchUnchanged;
        if (merged) {
            batchVerdicts++;
        }
        return true;
    }

    /** The descriptor that made the last write or flush stop early. */
    int blockedFd() {
        return blockedFd;
    }

    // ---- verdicts of our own

    @Override
    public void released(long id) {
        if (closed) {
            return; // the kernel dropped what the closed queue held
        }
        EventLoop current = loop.get();
        if (current.inEventLoop()) {
            releasedInLoop(id);
        } else {
            try {
                current.execute(() -> releasedInLoop(id));
            } catch (RejectedExecutionException e) {
                // The loop is gone, and with it the channel and its queue.
            }
        }
    }

    private void releasedInLoop(long id) {
        if (closed || !table.contains(id)) {
            return; // answered already
        }
        pending.add(id, NF_DROP, false);
        // Sent once the current read loop and its flush are done.
        flushSoon.run();
    }

    /** As {@link DivertSocket#flushPendingVerdicts}. */
    boolean flushPendingVerdicts() throws IOException {
        while (pending.size() > 0 && !closed) {
            batch.clear();
            int taken = 0;
            int sent = 0;
            for (; taken < pending.size() && batch.hasRoomForBare(); taken++) {
                long id = pending.id(taken);
                boolean forced = pending.isForced(taken);
                // A drop for a packet that was written meanwhile (its content replaced) is void.
                if (!forced && !table.contains(id)) {
                    continue;
                }
                batch.addBare(id, pending.verdict(taken));
                pendingSent[sent++] = forced ? -1 : id;
            }
            if (sent > 0 && batch.send(io) < 0) {
                int errno = io.errno();
                if (errno == Errno.EAGAIN) {
                    blockedFd = io.netlinkFd(); // still owed, all of them
                    return false;
                }
                throw Errors.newException("sendmsg(NFQNL_MSG_VERDICT)", errno, null);
            }
            for (int i = 0; i < sent; i++) {
                if (pendingSent[i] >= 0 && table.remove(pendingSent[i])) {
                    releaseDrops++;
                }
            }
            pending.removeFirst(taken);
        }
        return true;
    }

    /** Drops the packets held longer than the verdict timeout; run by the event loop every so often. */
    void expire() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        int before = pending.size();
        for (long id; (id = table.expireOne(now - timeoutNanos)) != VerdictTable.NONE; ) {
            timeoutDrops++;
            pending.add(id, NF_DROP, true);
        }
        if (pending.size() > before) {
            flushSoon.run();
        }
    }

    // ---- counters and close

    /** Packets dropped because the pipeline released them unwritten. */
    long releaseDrops() {
        return releaseDrops;
    }

    /** Packets dropped because they outlived the verdict timeout or made room in a full table. */
    long timeoutDrops() {
        return timeoutDrops;
    }

    /** Packets written back unchanged, without their bytes. */
    long reinjectedUnchanged() {
        return reinjectedUnchanged;
    }

    /** Sends that answered several packets with one NFQNL_MSG_VERDICT_BATCH. */
    long batchVerdicts() {
        return batchVerdicts;
    }

    /** Stops timing out and forgets every packet: the kernel drops a closed queue's packets itself. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        timeoutTask.cancel(false);
        table.clear();
        pending.clear();
        batch.release();
    }
}
