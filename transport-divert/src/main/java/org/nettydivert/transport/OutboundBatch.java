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

import io.netty.channel.ChannelOutboundBuffer;

/** Takes the flushed packets at the head of a channel's outbound buffer, in order, up to a batch. */
final class OutboundBatch implements ChannelOutboundBuffer.MessageProcessor {
    private DivertPacket[] batch;
    private int count;

    int collect(ChannelOutboundBuffer in, DivertPacket[] into) throws Exception {
        batch = into;
        count = 0;
        in.forEachFlushedMessage(this);
        batch = null;
        return count;
    }

    @Override
    public boolean processMessage(Object msg) {
        batch[count++] = (DivertPacket) msg;
        return count < batch.length;
    }
}
