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
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import org.nettydivert.codec.ip.IpNetwork;
import org.nettydivert.codec.ip.IpPacket;

/**
 * {@code drop}: a small firewall. Packets of the protocol (and, if given, to the destination port
 * and from the source network) are dropped, by releasing them unwritten; the rest is reinjected.
 */
final class DropHandler extends ChannelInboundHandlerAdapter {
    private final int protocol;
    private final int destinationPort;
    private final IpNetwork source;
    private long dropped;
    private long passed;

    /** {@code destinationPort} -1 and {@code source} null match any. */
    DropHandler(int protocol, int destinationPort, IpNetwork source) {
        this.protocol = protocol;
        this.destinationPort = destinationPort;
        this.source = source;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof IpPacket && matches((IpPacket) msg)) {
            dropped++;
            ReferenceCountUtil.release(msg);
        } else {
            passed++;
            ctx.write(msg);
        }
    }

    boolean matches(IpPacket packet) {
        if (packet.protocol() != protocol) {
            return false;
        }
        if (destinationPort >= 0 && packet.destinationPort() != destinationPort) {
            return false;
        }
        if (source != null) {
            InetAddress from = packet.sourceAddress();
            return source.contains(from);
        }
        return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    long dropped() {
        return dropped;
    }

    long passed() {
        return passed;
    }

    String totals() {
        return "drop: " + dropped + " packets dropped, " + passed + " passed";
    }
}
