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
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One record read by {@link PcapReader}: its IP datagram, readable from the IP header on (the
 * link-layer header, if any, is before the reader index), and when it was captured. Release it.
 */
public final class PcapRecord extends DefaultByteBufHolder {
    private final long epochNanos;
    private final int originalLength;

    /** A record of {@code content}, captured at {@code epochNanos}, originally {@code originalLength} bytes on the wire. */
    public PcapRecord(ByteBuf content, long epochNanos, int originalLength) {
        super(content);
        this.epochNanos = epochNanos;
        this.originalLength = originalLength;
    }

    /** When the packet was captured, in nanoseconds since the epoch (microsecond files end in 000). */
    public long epochNanos() {
        return epochNanos;
    }

    /** The frame's length on the wire, link-layer header included; more than captured when truncated. */
    public int originalLength() {
        return originalLength;
    }

    @Override
    public PcapRecord replace(ByteBuf content) {
        return new PcapRecord(content, epochNanos, originalLength);
    }

    @Override
    public PcapRecord retain() {
        super.retain();
        return this;
    }

    @Override
    public String toString() {
        return "PcapRecord(" + epochNanos + " ns, " + content().readableBytes() + " bytes of IP)";
    }
}
