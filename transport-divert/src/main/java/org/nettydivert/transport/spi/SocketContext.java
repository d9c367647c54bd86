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
package org.nettydivert.transport.spi;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import org.nettydivert.transport.DivertChannelConfig;

/**
 * What a backend's {@link DivertSocket} knows of the channel that opened it: its configuration,
 * its event loop and pipeline, and a way to have its own verdicts sent when the channel's
 * current read loop is done. The channel gives its socket this, never itself, so that nothing
 * of the channel beyond its public API is open to the backends but this.
 */
public interface SocketContext {
    /** The channel's configuration, as it was when the socket was opened or later. */
    DivertChannelConfig config();

    /** The channel's event loop, asked each time: a channel may move to another loop. */
    EventLoop eventLoop();

    /** The channel's pipeline, to report what goes wrong outside a write (exceptionCaught). */
    ChannelPipeline pipeline();

    /**
     * Asks the channel to call {@link DivertSocket#flushPendingVerdicts()} once its current read
     * loop, and the flush at its end, are done. Event loop thread only.
     */
    void flushPendingVerdictsSoon();
}
