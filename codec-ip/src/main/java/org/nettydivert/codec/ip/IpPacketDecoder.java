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
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import java.util.Objects;
import org.nettydivert.transport.DivertPacket;

/**
 * Turns each {@link DivertPacket} into an {@link IpPacket}, which takes over the packet's buffer
 * and address. A datagram that cannot be parsed never raises an exception: it is handled as the
 * {@link MalformedPacketAction} says, and counted. One instance per channel.
 */
public final class IpPacketDecoder extends MessageToMessageDecoder<DivertPacket> {
    private static final int REPORTED_BYTES = 16;

    private final MalformedPacketAction onMalformed;
    private final IpPacketParser parser = new IpPacketParser();
    private volatile long malformed;

    /** A decoder that passes malformed datagrams on raw, as {@link DivertPacket}s. */
    public IpPacketDecoder() {
        this(MalformedPacketAction.PASS_RAW);
    }

    /** A decoder that handles malformed datagrams as {@code onMalformed} says. */
    public IpPacketDecoder(MalformedPacketAction onMalformed) {
        super(DivertPacket.class);
        this.onMalformed = Objects.requireNonNull(onMalformed, "onMalformed");
    }

    /** How many datagrams could not be parsed so far, whatever was done with them. */
    public long malformedCount() {
        return malformed;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DivertPacket msg, List<Object> out) {
        IpPacket packet = new IpPacket(msg);
        MalformedReason reason = parser.parse(packet);
        // The superclass releases msg after this method: whatever we pass on needs its own reference.
        if (reason == null) {
            out.add(packet.retain());
            return;
        }
        malformed++;
        switch (onMalformed) {
            case PASS_RAW:
                out.add(msg.retain());
                break;
            case REPORT:
                ctx.fireUserEventTriggered(new MalformedPacketEvent(
                        reason,
                        parser.detail(),
                        msg.address(),
                        msg.content().readableBytes(),
                        firstBytes(msg.content())));
                break;
            default:
                break;
        }
    }

    /** The first bytes in hex, with " ..." when there are more: enough to recognise the datagram in a log. */
    private static String firstBytes(ByteBuf content) {
        int n = Math.min(REPORTED_BYTES, content.readableBytes());
        String hex = ByteBufUtil.hexDump(content, content.readerIndex(), n);
        return content.readableBytes() > n ? hex + " ..." : hex;
    }
}
