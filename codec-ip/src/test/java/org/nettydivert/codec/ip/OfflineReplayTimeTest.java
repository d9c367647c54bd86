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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OfflineReplay}'s virtual clock: scheduled tasks run as the capture's time passes. */
class OfflineReplayTimeTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path tmp;

    /** Holds each packet {@code delay} ms, then writes it. */
    private static final class Delay extends ChannelInboundHandlerAdapter {
        private final long delayMillis;

        Delay(long delayMillis) {
            this.delayMillis = delayMillis;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.executor().schedule(() -> ctx.writeAndFlush(msg), delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Lets one packet through every {@code periodMillis}, queueing the rest: a periodic task that
     * never ends, as token buckets and traffic shapers have.
     */
    private static final class RateLimit extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<Object> queue = new ArrayDeque<>();
        private final long periodMillis;
        private ScheduledFuture<?> tick;

        RateLimit(long periodMillis) {
            this.periodMillis = periodMillis;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            tick = ctx.executor()
                    .scheduleAtFixedRate(
                            () -> {
                                Object next = queue.poll();
                                if (next != null) {
                                    ctx.writeAndFlush(next);
                                }
                            },
                            periodMillis,
                            periodMillis,
                            TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            queue.add(msg);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (tick != null) {
                tick.cancel(false);
            }
            queue.forEach(ReferenceCountUtil::release);
            queue.clear();
        }
    }

    @Test
    void aPipelineThatHoldsPacketsLosesNoneAndWritesThemLater() throws IOException {
        // Before the virtual clock, scheduled writes never ran: read=33 written=0 dropped=33.
        Path in = Captures.path(Captures.ETHERNET_NANOS);
        Path out = tmp.resolve("out.pcapng");
        OfflineReplay.Result r =
                OfflineReplay.builder().input(in).output(out).build().run(new Delay(50));
        List<PcapngTest.Stamped> input = PcapngTest.read(in);
        assertEquals(input.size(), r.read());
        assertEquals(input.size(), r.written());
        assertEquals(input.size(), r.reinjected());
        assertEquals(0, r.dropped());
        List<PcapngTest.Stamped> output = PcapngTest.read(out);
        assertEquals(input.size(), output.size());
        for (int i = 0; i < input.size(); i++) {
            assertEquals(input.get(i).epochNanos() + 50 * MS, output.get(i).epochNanos(), "record " + i);
            assertArrayEquals(input.get(i).datagram(), output.get(i).datagram(), "record " + i);
        }
    }

    @Test
    void aPipelineThatWritesAtOnceKeepsTheCapturesTimes() throws IOException {
        Path in = Captures.path(Captures.ETHERNET_NANOS);
        Path out = tmp.resolve("out.pcapng");
        OfflineReplay.builder().input(in).output(out).build().run(new Delay(0));
        List<PcapngTest.Stamped> input = PcapngTest.read(in);
        List<PcapngTest.Stamped> output = PcapngTest.read(out);
        for (int i = 0; i < input.size(); i++) {
            assertEquals(input.get(i).epochNanos(), output.get(i).epochNanos(), "record " + i);
        }
    }

    @Test
    void aRateLimitSpacesTheOutputAndItsEndlessTickDoesNotHangTheReplay() throws IOException {
        Path in = Captures.path(Captures.ETHERNET_NANOS);
        Path out = tmp.resolve("out.pcapng");
        OfflineReplay.Result r =
                OfflineReplay.builder().input(in).output(out).build().run(new RateLimit(10));
        List<PcapngTest.Stamped> input = PcapngTest.read(in);
        long first = input.get(0).epochNanos();
        // The whole capture spans less than the 10 ms period: everything queues, then leaves one
        // packet per tick, counted from the first record.
        assertTrue(input.get(input.size() - 1).epochNanos() - first < 10 * MS);
        assertEquals(input.size(), r.written());
        assertEquals(0, r.dropped());
        List<PcapngTest.Stamped> output = PcapngTest.read(out);
        for (int i = 0; i < output.size(); i++) {
            assertEquals(first + (i + 1) * 10 * MS, output.get(i).epochNanos(), "record " + i);
            assertArrayEquals(input.get(i).datagram(), output.get(i).datagram(), "record " + i);
        }
    }

    @Test
    void theDrainLimitBoundsHowLongTasksRunAfterTheInput() throws IOException {
        Path in = Captures.path(Captures.ETHERNET_NANOS);
        OfflineReplay.Result r = OfflineReplay.builder()
                .input(in)
                .drainLimit(Duration.ofMillis(55))
                .build()
                .run(new RateLimit(10));
        // Ticks at 10..50 ms after the first record; the last record is ~1 ms after it, so the
        // limit ends at ~56 ms: five packets leave, the rest are cancelled with the channel.
        assertEquals(5, r.written());
        assertEquals(r.read() - 5, r.dropped());
    }

    @Test
    void packetsHeldAcrossLaterRecordsComeOutInDeadlineOrder() throws IOException {
        // Every other packet is held 1 s, the rest pass at once: held ones come out after all
        // others, when the clock passes their deadlines, each a second after its own record.
        Path in = Captures.path(Captures.ETHERNET_NANOS);
        Path out = tmp.resolve("out.pcapng");
        int[] n = {0};
        OfflineReplay.Result r = OfflineReplay.builder()
                .input(in)
                .output(out)
                .build()
                .run(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (n[0]++ % 2 == 0) {
                            ctx.executor().schedule(() -> ctx.writeAndFlush(msg), 1, TimeUnit.SECONDS);
                        } else {
                            ctx.writeAndFlush(msg);
                        }
                    }
                });
        List<PcapngTest.Stamped> input = PcapngTest.read(in);
        List<PcapngTest.Stamped> output = PcapngTest.read(out);
        assertEquals(input.size(), r.written());
        int passed = input.size() / 2;
        for (int i = 0; i < passed; i++) {
            assertEquals(input.get(2 * i + 1).epochNanos(), output.get(i).epochNanos());
        }
        for (int i = passed; i < output.size(); i++) {
            assertEquals(
                    input.get(2 * (i - passed)).epochNanos() + 1000 * MS,
                    output.get(i).epochNanos());
        }
    }
}
