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

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The pass-through pipeline of the end-to-end tests: every packet read is shown to an observer
 * and then written back with the address it was read with, so that the kernel resumes it where
 * it left (NF_ACCEPT); writes are flushed once per read loop. The first write failure or
 * exception is kept for {@link #assertNoFailure()}.
 */
final class WriteBackHandler extends ChannelInboundHandlerAdapter {
    private final Consumer<DivertPacket> observer;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Bytes of a packet's headers shown when writing it back fails. */
    private static final int HEADERS = 64;

    /** {@code observer} runs on the channel's event loop, before the packet is written back. */
    WriteBackHandler(Consumer<DivertPacket> observer) {
        this.observer = observer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DivertPacket packet = (DivertPacket) msg;
        try {
            observer.accept(packet);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
        // Written back whatever the observer thought of it: the flow must go on. A failure names
        // the packet, so the headers are taken down before the write releases them.
        String headers = packet + " "
                + ByteBufUtil.hexDump(
                        packet.content(),
                        packet.content().readerIndex(),
                        Math.min(HEADERS, packet.content().readableBytes()));
        ctx.write(packet).addListener(future -> {
            if (!future.isSuccess()) {
                failure.compareAndSet(null, new AssertionError("writing back " + headers + " failed", future.cause()));
            }
        });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failure.compareAndSet(null, cause);
    }

    boolean hasFailure() {
        return failure.get() != null;
    }

    /** Fails with the first write failure, exception or observer error, if there was one. */
    void assertNoFailure() {
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("the divert pipeline saw a failure: " + t, t);
        }
    }
}
