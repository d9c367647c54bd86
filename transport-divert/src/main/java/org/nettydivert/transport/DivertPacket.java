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
import io.netty.channel.DefaultAddressedEnvelope;

/**
 * One diverted IP datagram: what a {@link DivertChannel} reads and what it writes.
 *
 * <p>The {@linkplain #content() content} is the whole IP datagram, header first, between its
 * reader and writer index. The {@linkplain #address() address} says where it came from; writing
 * the packet with that same address puts it back where it left the kernel, writing it with an
 * injection address ({@link DivertAddress#outbound()}) sends it as a new packet.
 *
 * <p>The packet owns its content: release it (or write it) exactly once. On Linux, releasing a
 * read packet without writing it tells the kernel to drop it, and writing back a read packet
 * whose content was neither written to nor trimmed is cheaper: the kernel keeps its own copy and
 * the channel sends no bytes back (see {@link DivertStats#packetsReinjectedUnchanged()}). Taking
 * the content's {@code memoryAddress()} or an NIO view of it counts as writing.
 */
public final class DivertPacket extends DefaultAddressedEnvelope<ByteBuf, DivertAddress> {

    /** A packet with {@code content} (an IP datagram) and {@code address}. */
    public DivertPacket(ByteBuf content, DivertAddress address) {
        super(content, address, address);
    }

    /** Where the packet came from, or where it is to go. */
    public DivertAddress address() {
        return recipient();
    }

    /** A packet with other content and the same address; this packet's content is not released. */
    public DivertPacket replace(ByteBuf content) {
        return new DivertPacket(content, address());
    }

    /** A packet with the same content and another address. */
    public DivertPacket withAddress(DivertAddress address) {
        return new DivertPacket(content(), address);
    }

    @Override
    public DivertPacket retain() {
        super.retain();
        return this;
    }

    @Override
    public DivertPacket retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public DivertPacket touch() {
        super.touch();
        return this;
    }

    @Override
    public DivertPacket touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "DivertPacket(" + address() + ", " + content().readableBytes() + " bytes)";
    }
}
