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

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.codec.ip.IpProtocol;

/**
 * {@code rewrite-port}: a port forwarder. Outbound TCP/UDP packets to port {@code from} go to
 * {@code to} instead; inbound ones from {@code to} look as if they came from {@code from}. The
 * checksums are updated incrementally (RFC 1624) by the codec's setters; everything else passes
 * unchanged.
 */
final class RewritePortHandler extends ChannelInboundHandlerAdapter {
    private final int from;
    private final int to;
    private long rewritten;
    private long passed;

    RewritePortHandler(int from, int to) {
        this.from = from;
        this.to = to;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof IpPacket && rewrite((IpPacket) msg)) {
            rewritten++;
        } else {
            passed++;
        }
        ctx.write(msg);
    }

    private boolean rewrite(IpPacket packet) {
        int protocol = packet.protocol();
        if ((protocol != IpProtocol.TCP && protocol != IpProtocol.UDP) || packet.sourcePort() < 0) {
            return false;
        }
        if (packet.address().isInbound()) {
            if (packet.sourcePort() == to) {
                packet.setSourcePort(from);
                return true;
            }
        } else if (packet.destinationPort() == from) {
            packet.setDestinationPort(to);
            return true;
        }
        return false;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    String totals() {
        return "rewrite-port: " + rewritten + " packets rewritten, " + passed + " passed unchanged";
    }
}
