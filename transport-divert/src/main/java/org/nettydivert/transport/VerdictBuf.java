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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;

/**
 * The content of a packet read from NFQUEUE: a view of the packet bytes inside the buffer the
 * kernel wrote the netlink message into (no copy), which tells its socket when it is released.
 * That is how the channel learns that the pipeline let a packet go without writing it, and
 * answers it with NF_DROP: whichever way the buffer is released (the packet, its content,
 * a slice or duplicate of it) the last release lands here.
 */
final class VerdictBuf extends UnpooledUnsafeDirectByteBuf {
    private static final int MAX_IP_PACKET = 65535;

    private final NfqueueSocket owner;
    private final long packetId;
    private final ByteBuf message;

    VerdictBuf(NfqueueSocket owner, long packetId, ByteBuf message, int offset, int length) {
        super(message.alloc(), message.nioBuffer(offset, length), MAX_IP_PACKET);
        this.owner = owner;
        this.packetId = packetId;
        this.message = message.retain();
    }

    @Override
    protected void deallocate() {
        super.deallocate();
        message.release();
        owner.released(packetId);
    }
}
