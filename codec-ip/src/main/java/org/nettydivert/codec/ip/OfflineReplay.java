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

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * Runs a divert pipeline against a capture file (pcap or pcapng) instead of a kernel: no root, no
 * firewall rule, any OS. This is how to unit-test a pipeline.
 *
 * <p>Each IP datagram of the input becomes a {@link DivertPacket} read from divert port {@link
 * Builder#divertPort(int)}, with the direction the {@link DirectionRule} gives and a fresh tag, and
 * is written into the inbound side of an {@link EmbeddedChannel} that holds the handlers. What the
 * pipeline writes ({@code DivertPacket}s, or {@link IpPacket}s when it has no encoder) is appended
 * to the output pcap, if one is given. A written packet that carries the tag of a read one is a
 * reinjection; one without (or with an unknown tag) is an injection. A read packet whose tag is
 * never written was dropped, like a packet a real pipeline releases; one that reaches the end of
 * the pipeline unhandled is dropped too, and counted apart.
 *
 * <p><b>Time.</b> The pipeline runs on a virtual clock that the capture's timestamps drive: the
 * channel's event loop reads the time from a {@link MockTicker} that stands still while a record
 * is handled and is moved forward to each record's timestamp before it is read. Tasks the
 * pipeline schedules ({@code ctx.executor().schedule(...)}, idle-state handlers, rate limiters)
 * run when the virtual clock passes their deadline, between records, in deadline order, with the
 * clock at their deadline. A record stamped earlier than the clock (captures are not always in
 * order) is read at the clock's time: the clock never goes back. After the last record the clock
 * keeps moving from deadline to deadline until no task is left, but at most {@link
 * Builder#drainLimit(Duration)} (60 s by default) past the last record: a periodic task would
 * otherwise keep the replay going for ever. Tasks still pending then are cancelled with the
 * channel. Every record written to the output is stamped with the virtual time at which the
 * pipeline wrote it, so a pipeline that holds packets 50 ms writes them 50 ms later.
 *
 * <pre>{@code
 * OfflineReplay.Result r = OfflineReplay.builder()
 *         .input(Path.of("capture.pcapng"))
 *         .output(Path.of("out.pcap"))
 *         .direction(DirectionRule.outboundFrom("10.0.0.0/8"))
 *         .build()
 *         .run(new IpPacketCodec(), new MyFirewall());
 * assertEquals(3, r.dropped());
 * }</pre>
 */
public final class OfflineReplay {
    private final Path input;
    private final Path output;
    private final DirectionRule direction;
    private final int divertPort;
    private final PcapFormat outputFormat;
    private final long drainLimitNanos;
    private final boolean completePartialChecksums;

    private OfflineReplay(Builder b) {
        this.input = Objects.requireNonNull(b.input, "input");
        this.output = b.output;
        this.direction = b.direction;
        this.divertPort = b.divertPort;
        this.completePartialChecksums = b.completePartialChecksums;
        this.outputFormat = b.outputFormat != null || output == null ? b.outputFormat : PcapFormat.forFileName(output);
        // Durations past 292 years do not fit in nanoseconds: they mean no limit.
        this.drainLimitNanos =
                b.drainLimit.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : b.drainLimit.toNanos();
    }

    /** A builder; an input file is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** What a replay saw. */
    public record Result(long read, long reinjected, long injected, long dropped, long unhandled, long exceptions) {
        /** Everything the pipeline wrote: reinjections and injections. */
        public long written() {
            return reinjected + injected;
        }
    }

    /**
     * Replays the input through a new {@link EmbeddedChannel} holding {@code handlers} (a {@code
     * ChannelInitializer} is fine), then closes the channel. Exceptions the pipeline lets reach its
     * end are counted, not thrown.
     *
     * <p>The output is written to a new file beside it that replaces it at the end, in one rename:
     * a replay that fails leaves the output as it was. An output that is a symbolic link is
     * written through (the file it names is replaced); one that is the input, by any name, is
     * refused.
     *
     * @throws IOException when the input cannot be read or the output written, or when the output
     *     is the input file
     */
    public Result run(ChannelHandler... handlers) throws IOException {
        if (output == null) {
            return replay(null, handlers);
        }
        Path target = throughSymlinks(output);
        // Writing over the input while it is read would destroy it: only what the reader had
        // buffered would be replayed, and the rest of the file lost.
        if (Files.exists(target) && Files.isSameFile(input, target)) {
            throw new IOException("the output " + output + " is the input file " + input);
        }
        // Found now rather than when the rename fails, after the whole replay.
        if (Files.isDirectory(target)) {
            throw new IOException("the output " + output + " is a directory");
        }
        Path partial = createBeside(target);
        boolean replaced = false;
        try {
            Result result;
            try (PcapWriter writer = PcapWriter.create(partial, outputFormat)) {
                result = replay(writer, handlers);
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
            replaced = true;
            return result;
        } finally {
            if (!replaced) {
                Files.deleteIfExists(partial);
            }
        }
    }

    /**
     * A new, empty file in {@code file}'s directory (so that a rename can replace {@code file}),
     * hidden, with a name of its own. Not {@link Files#createTempFile}: it makes the file 0600,
     * where the output should get the modes any new file gets (the umask's).
     */
    private static Path createBeside(Path file) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path partial = file.resolveSibling("." + file.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(partial);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** The file {@code path} names once symbolic links are followed (it need not exist). */
    private static Path throughSymlinks(Path path) throws IOException {
        Path file = path;
        // The limit keeps a link loop from looping here: writing to it fails as it would have.
        for (int hops = 0; hops < 40 && Files.isSymbolicLink(file); hops++) {
            Path parent = file.toAbsolutePath().getParent();
            file = parent.resolve(Files.readSymbolicLink(file));
        }
        return file;
    }

    private Result replay(PcapWriter writer, ChannelHandler... handlers) throws IOException {
        MockTicker ticker = Ticker.newMockTicker();
        EmbeddedChannel channel =
                EmbeddedChannel.builder().ticker(ticker).handlers(handlers).build();
        Counts counts = new Counts();
        VirtualClock clock = new VirtualClock(channel, ticker, writer, counts);
        IpPacketParser parser = completePartialChecksums ? new IpPacketParser() : null;
        try (PcapReader reader = PcapReader.open(input)) {
            PcapRecord record;
            while ((record = reader.next()) != null) {
                ByteBuf datagram = record.content();
                try {
                    clock.advanceTo(record.epochNanos());
                } catch (IOException | RuntimeException e) {
                    record.release();
                    throw e;
                }
                if (parser != null) {
                    completePartialChecksum(datagram, parser);
                }
                long tag = counts.read++;
                DivertAddress address = new DivertAddress(
                        divertPort, direction.directionOf(datagram), null, null, tag & 0xFFFF_FFFFL, 0);
                try {
                    channel.writeInbound(new DivertPacket(datagram, address));
                } catch (RuntimeException e) {
                    counts.exceptions++;
                }
                clock.drain();
            }
            clock.runOut(drainLimitNanos);
            channel.finishAndReleaseAll();
        } finally {
            if (channel.isOpen()) {
                channel.finishAndReleaseAll();
            }
        }
        long dropped = counts.read - counts.reinjectedTags.cardinality();
        return new Result(
                counts.read, counts.reinjected, counts.injected, dropped, counts.unhandled, counts.exceptions);
    }

    /**
     * Completes an offloaded TCP or UDP checksum in place, as the live channel does when it reads,
     * so that the pipeline sees the datagram it would see live.
     */
    private static void completePartialChecksum(ByteBuf datagram, IpPacketParser parser) {
        // A view only: no reference is taken, none is released.
        IpPacket packet = new IpPacket(new DivertPacket(datagram, DivertAddress.outbound()));
        if (parser.parse(packet) == null && packet.checksumStatus() == ChecksumStatus.PARTIAL) {
            packet.updateChecksums();
        }
    }

    private static final class Counts {
        final BitSet reinjectedTags = new BitSet();
        long read;
        long reinjected;
        long injected;
        long unhandled;
        long exceptions;
    }

    /**
     * The replay's time: the ticker's, shifted so that it reads as the capture's epoch time once
     * the first record is seen. Moving it runs the scheduled tasks it passes, each at its deadline,
     * and writes out what they wrote, stamped with that deadline.
     */
    private final class VirtualClock {
        /**
         * How many rounds of tasks may run without the clock moving: a task that keeps scheduling
         * itself with no delay would otherwise stop the replay for ever.
         */
        private static final int MAX_ROUNDS_AT_ONE_INSTANT = 100_000;

        private final EmbeddedChannel channel;
        private final MockTicker ticker;
        private final PcapWriter writer;
        private final Counts counts;
        private long epochOffset;
        private boolean started;

        VirtualClock(EmbeddedChannel channel, MockTicker ticker, PcapWriter writer, Counts counts) {
            this.channel = channel;
            this.ticker = ticker;
            this.writer = writer;
            this.counts = counts;
        }

        long epochNanos() {
            return epochOffset + ticker.nanoTime();
        }

        /** Moves the clock to {@code epochNanos} (never back), running the tasks due on the way. */
        void advanceTo(long epochNanos) throws IOException {
            if (!started) {
                // Whatever the pipeline scheduled while it was set up counts from the first record.
                started = true;
                epochOffset = epochNanos - ticker.nanoTime();
            }
            runUntil(epochNanos - epochOffset);
        }

        /** Runs the tasks left, moving the clock at most {@code limitNanos} past where it is. */
        void runOut(long limitNanos) throws IOException {
            long now = ticker.nanoTime();
            runUntil(limitNanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + limitNanos);
        }

        private void runUntil(long target) throws IOException {
            int rounds = 0;
            while (true) {
                long delay = channel.runScheduledPendingTasks();
                drain();
                long now = ticker.nanoTime();
                if (delay < 0 || delay > target - now) {
                    break;
                }
                if (delay == 0 && ++rounds > MAX_ROUNDS_AT_ONE_INSTANT) {
                    break;
                }
                if (delay > 0) {
                    rounds = 0;
                    ticker.advance(delay, TimeUnit.NANOSECONDS);
                }
            }
            long now = ticker.nanoTime();
            if (target > now) {
                ticker.advance(target - now, TimeUnit.NANOSECONDS);
            }
        }

        void drain() throws IOException {
            channel.flushOutbound();
            Object msg;
            while ((msg = channel.readOutbound()) != null) {
                try {
                    written(msg, writer, counts, epochNanos());
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
            while ((msg = channel.readInbound()) != null) {
                counts.unhandled++;
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private void written(Object msg, PcapWriter writer, Counts counts, long epochNanos) throws IOException {
        DivertAddress address;
        ByteBuf buf;
        int offset;
        int length;
        if (msg instanceof DivertPacket) {
            DivertPacket packet = (DivertPacket) msg;
            address = packet.address();
            buf = packet.content();
            offset = buf.readerIndex();
            length = buf.readableBytes();
        } else if (msg instanceof IpPacket) {
            IpPacket packet = (IpPacket) msg;
            address = packet.address();
            buf = packet.content();
            offset = packet.l3Offset();
            length = packet.length();
        } else {
            return;
        }
        long tag = address == null ? DivertAddress.NO_TAG : address.tag();
        if (tag != DivertAddress.NO_TAG && tag < counts.read && !counts.reinjectedTags.get((int) tag)) {
            counts.reinjectedTags.set((int) tag);
            counts.reinjected++;
        } else {
            counts.injected++;
        }
        if (writer != null) {
            writer.writeNanos(buf, offset, length, epochNanos);
        }
    }

    /** Sets up an {@link OfflineReplay}. */
    public static final class Builder {
        private Path input;
        private Path output;
        private DirectionRule direction = DirectionRule.always(DivertAddress.Direction.INBOUND);
        private int divertPort;
        private PcapFormat outputFormat;
        private Duration drainLimit = Duration.ofSeconds(60);
        private boolean completePartialChecksums;

        private Builder() {}

        /** The pcap or pcapng file to read (any format and link type {@link PcapReader} reads). Required. */
        public Builder input(Path input) {
            this.input = input;
            return this;
        }

        /**
         * The file (LINKTYPE_RAW) to write what the pipeline writes to, replaced once the replay
         * succeeds; none by default. It must not be the input. pcapng if its name ends in {@code
         * .pcapng}, classic pcap otherwise, unless {@link #outputFormat(PcapFormat)} says.
         */
        public Builder output(Path output) {
            this.output = output;
            return this;
        }

        /** How to tell the direction of each datagram; all inbound by default. */
        public Builder direction(DirectionRule direction) {
            this.direction = Objects.requireNonNull(direction, "direction");
            return this;
        }

        /** The divert port the packets seem read from; 0 by default. */
        public Builder divertPort(int divertPort) {
            this.divertPort = divertPort;
            return this;
        }

        /** The output's format, whatever its name; by default the name tells ({@link PcapFormat#forFileName}). */
        public Builder outputFormat(PcapFormat outputFormat) {
            this.outputFormat = Objects.requireNonNull(outputFormat, "outputFormat");
            return this;
        }

        /**
         * How far past the last record the virtual clock may move to run the tasks still
         * scheduled; 60 s by default. Tasks not due by then are cancelled unrun.
         */
        public Builder drainLimit(Duration drainLimit) {
            if (drainLimit.isNegative()) {
                throw new IllegalArgumentException("drainLimit " + drainLimit + " is negative");
            }
            this.drainLimit = drainLimit;
            return this;
        }

        /**
         * Whether to complete the partial (offloaded) TCP and UDP checksums of the input before the
         * pipeline sees them, as the live {@code DivertChannel} does on Linux; off by default, so
         * that the pipeline gets the bytes of the capture. Captures taken on veth or loopback
         * devices need it for a pipeline that verifies, or incrementally rewrites, checksums: see
         * {@link ChecksumStatus}.
         */
        public Builder completePartialChecksums(boolean complete) {
            this.completePartialChecksums = complete;
            return this;
        }

        /** The replay. */
        public OfflineReplay build() {
            return new OfflineReplay(this);
        }
    }
}
