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

import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import org.nettydivert.transport.spi.SocketContext;

/** What a channel's socket may ask of it: given to the socket instead of the channel itself. */
final class ChannelContext implements SocketContext {
    private final DivertChannel channel;

    ChannelContext(DivertChannel channel) {
        this.channel = channel;
    }

    @Override
    public DivertChannelConfig config() {
        return channel.config();
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public ChannelPipeline pipeline() {
        return channel.pipeline();
    }

    @Override
    public void flushPendingVerdictsSoon() {
        channel.flushPendingVerdictsSoon();
    }
}
