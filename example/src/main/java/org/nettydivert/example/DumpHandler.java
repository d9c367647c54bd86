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
package org.nettydivert.example;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.PrintStream;
import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.transport.DivertPacket;

/**
 * {@code dump}: prints each packet (after an IpPacketDecoder) and puts it back unchanged. With a
 * count, closes the channel after that many packets.
 */
final class DumpHandler extends ChannelInboundHandlerAdapter {
    private static final int HEX_BYTES = 40;

    private final PrintStream out;
    private final boolean hex;
    private final long count;
    private long seen;

    DumpHandler(PrintStream out, boolean hex, long count) {
        this.out = out;
        this.hex = hex;
        this.count = count;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof IpPacket) {
            IpPacket packet = (IpPacket) msg;
            out.println(PacketLine.of(packet));
            if (hex) {
                out.println(ByteBufUtil.prettyHexDump(
                        packet.content(), packet.l3Offset(), Math.min(HEX_BYTES, packet.length())));
            }
        } else if (msg instanceof DivertPacket) {
            // The decoder passes what it cannot parse on raw.
            DivertPacket packet = (DivertPacket) msg;
            out.println(packet.address().direction() + " malformed packet, "
                    + packet.content().readableBytes() + " bytes");
        }
        ctx.write(msg);
        if (++seen == count) {
            ctx.flush();
            ctx.channel().close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        out.flush();
        ctx.flush();
    }

    long seen() {
        return seen;
    }
}
