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
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import org.nettydivert.transport.DivertPacket;

/**
 * Copies the datagrams that pass it, {@link DivertPacket}s and {@link IpPacket}s, read and written,
 * into a {@link PcapWriter} (pcap or pcapng, as it was created), and passes them on untouched.
 * Records are stamped with the wall clock's time (nanoseconds in pcapng). Put it next to the channel to see what
 * the kernel diverted and what went back, or after the codec to see rewrites.
 *
 * <p>It writes on the event loop, so give it a buffered writer and keep it for debugging and
 * tests. A failing write never stops a packet: it is counted in {@link #failedWrites()}. The writer
 * stays the caller's to close.
 */
public final class PcapTeeHandler extends ChannelDuplexHandler {
    private final PcapWriter writer;
    private final boolean reads;
    private final boolean writes;
    private volatile long failedWrites;

    /** A tee of both directions into {@code writer}. */
    public PcapTeeHandler(PcapWriter writer) {
        this(writer, true, true);
    }

    /** A tee into {@code writer} of what is read, what is written, or both. */
    public PcapTeeHandler(PcapWriter writer, boolean reads, boolean writes) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.reads = reads;
        this.writes = writes;
    }

    /** How many datagrams could not be written to the file. */
    public long failedWrites() {
        return failedWrites;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (reads) {
            tee(msg);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (writes) {
            tee(msg);
        }
        ctx.write(msg, promise);
    }

    private void tee(Object msg) {
        try {
            if (msg instanceof DivertPacket) {
                ByteBuf content = ((DivertPacket) msg).content();
                writer.write(content);
            } else if (msg instanceof IpPacket) {
                IpPacket packet = (IpPacket) msg;
                Instant now = Instant.now();
                writer.writeNanos(
                        packet.content(),
                        packet.l3Offset(),
                        packet.length(),
                        now.getEpochSecond() * 1_000_000_000L + now.getNano());
            }
        } catch (IOException e) {
            failedWrites++;
        }
    }
}
