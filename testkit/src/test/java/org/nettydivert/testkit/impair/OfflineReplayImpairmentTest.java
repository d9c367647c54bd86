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
package org.nettydivert.testkit.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nettydivert.codec.ip.OfflineReplay;
import org.nettydivert.codec.ip.PcapReader;
import org.nettydivert.codec.ip.PcapRecord;
import org.nettydivert.codec.ip.PcapWriter;
import org.nettydivert.transport.DivertPacket;

/**
 * The handlers under codec-ip's OfflineReplay, whose event loop runs on the capture's clock: the
 * output capture's timestamps show the delay and the rate, exactly, with no wall-clock time spent.
 */
@ExtendWith(LeakCheck.class)
class OfflineReplayImpairmentTest {
    /** 2021-01-01T00:00:00Z, where the test captures begin. */
    private static final long EPOCH = 1_609_459_200L * 1_000_000_000L;

    @TempDir
    Path dir;

    /** Writes back every packet it reads; flushes on read-complete. */
    static final class WriteBack extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** A capture of {@code count} UDP datagrams of {@code payload} bytes, one every {@code gapNanos}. */
    private Path capture(int count, int payload, long gapNanos) throws Exception {
        Path file = dir.resolve("in.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            for (int i = 0; i < count; i++) {
                DivertPacket p = Bench.udp(i, 9000, payload);
                try {
                    writer.writeNanos(p.content(), 0, p.content().readableBytes(), EPOCH + i * gapNanos);
                } finally {
                    p.release();
                }
            }
        }
        return file;
    }

    /** Sequence number and timestamp (ns after EPOCH) of each record of {@code file}. */
    private static List<long[]> records(Path file) throws Exception {
        List<long[]> out = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(file)) {
            PcapRecord r;
            while ((r = reader.next()) != null) {
                try {
                    out.add(new long[] {r.content().getInt(r.content().readerIndex() + 28), r.epochNanos() - EPOCH});
                } finally {
                    r.release();
                }
            }
        }
        return out;
    }

    @Test
    void delayedPacketsAreWrittenLaterOnTheCapturesClock() throws Exception {
        Path in = capture(200, 100, Bench.ms(10));
        Path out = dir.resolve("out.pcapng");
        DelayHandler delay = DelayHandler.builder()
                .delay(Duration.ofMillis(50))
                .jitter(Duration.ofMillis(4))
                .keepOrder(true)
                .seed(31)
                .build();
        OfflineReplay.Result result =
                OfflineReplay.builder().input(in).output(out).build().run(delay, new WriteBack());
        assertEquals(200, result.reinjected());
        List<long[]> records = records(out);
        assertEquals(200, records.size());
        double sum = 0;
        for (long[] r : records) {
            long delayNanos = r[1] - r[0] * Bench.ms(10);
            // keepOrder: at least the own draw, and packets 10 ms apart never wait for each other.
            assertTrue(
                    delayNanos >= Bench.ms(46) && delayNanos <= Bench.ms(54),
                    "packet " + r[0] + " delayed " + delayNanos + " ns");
            sum += delayNanos;
        }
        assertEquals(50.0, sum / records.size() / 1e6, 0.5, "mean delay on the virtual clock");
    }

    @Test
    void aRateLimitSpacesPacketsOnTheCapturesClock() throws Exception {
        // 1000-byte datagrams every millisecond (1 MB/s) into 100 KB/s with a 1000-byte bucket:
        // after the first, one every 10 ms.
        Path in = capture(100, 972, Bench.ms(1));
        Path out = dir.resolve("out.pcap");
        RateLimitHandler limit = RateLimitHandler.builder(100_000, 1000)
                .queueLimit(1_000_000)
                .seed(32)
                .build();
        OfflineReplay.Result result =
                OfflineReplay.builder().input(in).output(out).build().run(limit, new WriteBack());
        assertEquals(100, result.reinjected());
        List<long[]> records = records(out);
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i, records.get(i)[0], "order kept");
            assertEquals(i * Bench.ms(10), records.get(i)[1], "packet " + i + " leaves at " + i * 10 + " ms");
        }
    }

    @Test
    void lossAndDuplicationCountAsDropsAndInjections() throws Exception {
        Path in = capture(1000, 100, Bench.ms(1));
        LossHandler loss = LossHandler.random(0.2).seed(33).build();
        DuplicateHandler dup = DuplicateHandler.probability(0.1).seed(34).build();
        OfflineReplay.Result result = OfflineReplay.builder().input(in).build().run(loss, dup, new WriteBack());
        assertEquals(loss.packetsDropped(), result.dropped());
        assertEquals(dup.packetsDuplicated(), result.injected());
        assertEquals(1000 - loss.packetsDropped(), result.reinjected());
    }
}
