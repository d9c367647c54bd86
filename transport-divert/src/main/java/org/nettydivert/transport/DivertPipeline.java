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

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * A {@link DivertChannel}'s pipeline: what reaches its end unconsumed is counted, the first of
 * it logged at WARN with its type, and released, which drops the packet (on Linux that release
 * is its NF_DROP). Netty's own pipeline only logs such messages at DEBUG.
 */
final class DivertPipeline extends DefaultChannelPipeline {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(DivertChannel.class);

    // Written on the event loop, read by stats() from any thread.
    private volatile long unhandled;

    DivertPipeline(DivertChannel channel) {
        super(channel);
    }

    /** Messages released at the end of the pipeline. */
    long packetsUnhandled() {
        return unhandled;
    }

    @Override
    protected void onUnhandledInboundMessage(ChannelHandlerContext ctx, Object msg) {
        try {
            if (unhandled++ == 0) {
                logger.warn(
                        "{}: a {} reached the end of the pipeline unhandled and was released, so the packet is"
                                + " dropped. Write it back (ctx.write), release it on purpose, or add a handler for"
                                + " that type (a codec passes packets it cannot parse on as DivertPacket). Further"
                                + " ones are counted in DivertStats.packetsUnhandled() without a log line.",
                        channel(),
                        msg == null ? "null" : msg.getClass().getName());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }
}
