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
package org.nettydivert.testkit;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/** Writes every packet back unchanged and counts them: the smallest pipeline a test can divert through. */
@ChannelHandler.Sharable
final class PassThrough extends ChannelInboundHandlerAdapter {
    private final AtomicInteger packets = new AtomicInteger();

    /** How many packets it passed. */
    int packets() {
        return packets.get();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        packets.incrementAndGet();
        ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }
}
