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

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * Coverage-guided fuzz targets for Jazzer. A plain build runs them as regression tests over the
 * inputs in {@code src/test/resources/org/nettydivert/codec/ip/IpJazzerFuzzTestInputs/<target>/};
 * the build's {@code jazzer-*} surefire executions fuzz each one ({@code JAZZER_FUZZ=1}, one
 * target per JVM, as Jazzer requires) for the executions given here. Jazzer keeps what it learns
 * in {@code codec-ip/.cifuzz-corpus/} and puts a crashing input in the inputs directory, where it
 * becomes a regression test. {@link IpFuzzTest} runs the same targets from a fixed seed.
 */
class IpJazzerFuzzTest {
    private static final DivertAddress ADDRESS =
            new DivertAddress(1, DivertAddress.Direction.INBOUND, "em0", null, 1, 0);

    // Counts the bytes it hands out; no leak detector, which would record every access.
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false, true);

    /** Any bytes as a datagram: decode fails only with MalformedPacketException, and a decoded packet is safe to use. */
    @FuzzTest(maxExecutions = 100_000)
    void decode(byte[] data) {
        DivertPacket p = new DivertPacket(alloc.heapBuffer(data.length).writeBytes(data), ADDRESS);
        try {
            IpPacket ip = IpPacket.decode(p);
            try {
                IpFuzzTest.exercise(ip);
            } finally {
                ip.release();
            }
        } catch (MalformedPacketException expected) {
            p.release();
        }
        checkNoLeak();
    }

    /** Any bytes as a pcap file: the reader fails only with an IOException that says why. */
    @FuzzTest(maxExecutions = 50_000)
    void pcap(byte[] data) {
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(data), alloc)) {
            PcapRecord r;
            while ((r = reader.next()) != null) {
                int length = r.content().readableBytes();
                r.release();
                if (length > data.length) {
                    throw new AssertionError("a record of " + length + " bytes in a file of " + data.length);
                }
            }
        } catch (IOException e) {
            if (e.getMessage() == null) {
                throw new AssertionError("an IOException that does not say why", e);
            }
        }
        checkNoLeak();
    }

    /**
     * Any bytes as a run of packets through an {@link IpReassembler}: the first byte chooses the
     * verdicts and whether the timeouts run, then each packet is a 2-byte length and its bytes.
     * Nothing leaks, the bounds hold, and every reassembled datagram is consistent.
     */
    @FuzzTest(maxExecutions = 30_000)
    void reassembly(byte[] data) {
        if (data.length == 0) {
            return;
        }
        IpReassembler reassembler = IpReassembler.builder()
                .maxDatagrams(4)
                .maxBytes(IpReassembler.MIN_BYTES)
                .maxFragmentsPerDatagram(8)
                .timeout(Duration.ofSeconds(1))
                .build();
        int verdicts = data[0] & 0xFF;
        DivertPacket[] current = new DivertPacket[1];
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(reassembler, new ChannelInboundHandlerAdapter() {
            private int n;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                DivertPacket p = (DivertPacket) msg;
                if (p != current[0]) {
                    IpFuzzTest.checkReassembled(p.content());
                    decodeQuietly(p.content());
                }
                // Two bits of the first byte per packet: write back, inject, drop, or hold until the end.
                switch ((verdicts >>> (2 * (n++ & 3))) & 3) {
                    case 0:
                        ctx.write(p);
                        break;
                    case 1:
                        ctx.write(p.withAddress(DivertAddress.outbound()));
                        break;
                    case 2:
                        p.release();
                        break;
                    default:
                        ctx.fireChannelRead(p);
                }
            }
        });
        int at = 1;
        while (at + 2 <= data.length) {
            int length = Math.min(((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF), data.length - at - 2);
            at += 2;
            current[0] = new DivertPacket(alloc.heapBuffer(length).writeBytes(data, at, length), ADDRESS);
            channel.writeInbound(current[0]);
            at += length;
            if (reassembler.bytesHeld() > IpReassembler.MIN_BYTES) {
                throw new AssertionError("holds " + reassembler.bytesHeld() + " bytes");
            }
            channel.flushOutbound();
            drain(channel);
        }
        if ((verdicts & 0x80) != 0) {
            channel.advanceTimeBy(2, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            if (reassembler.bytesHeld() != 0) {
                throw new AssertionError("holds " + reassembler.bytesHeld() + " bytes after the timeout");
            }
        }
        drain(channel);
        channel.finishAndReleaseAll();
        checkNoLeak();
    }

    /** Releases what reached either end. */
    private static void drain(EmbeddedChannel channel) {
        Object out;
        while ((out = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(out);
        }
        while ((out = channel.readInbound()) != null) {
            ReferenceCountUtil.release(out);
        }
    }

    private void decodeQuietly(ByteBuf datagram) {
        DivertPacket copy = new DivertPacket(
                alloc.heapBuffer().writeBytes(datagram, datagram.readerIndex(), datagram.readableBytes()), ADDRESS);
        try {
            IpPacket.decode(copy).release();
        } catch (MalformedPacketException expected) {
            copy.release();
        }
    }

    private void checkNoLeak() {
        long used = alloc.metric().usedHeapMemory();
        if (used != 0) {
            throw new AssertionError(used + " bytes not released");
        }
    }
}
