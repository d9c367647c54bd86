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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a divert pipeline saw of the TCP connections to one server port, by direction, fed
 * packet by packet on the divert event loop (pass {@code flows::count} to a {@link
 * WriteBackHandler}). Besides counting, it watches for the packet that ends an orderly close.
 */
final class TcpFlows {
    final int serverPort;
    final AtomicLong toServerPackets = new AtomicLong();
    final AtomicLong fromServerPackets = new AtomicLong();
    final AtomicLong toServerData = new AtomicLong();
    final AtomicLong fromServerData = new AtomicLong();
    final AtomicLong strangers = new AtomicLong();
    final AtomicLong resets = new AtomicLong();
    /** Packets longer than NFQUEUE copies (65531 bytes), read cut short. */
    final AtomicLong cutShort = new AtomicLong();
    /**
     * Completed once each side's FIN has been acknowledged by the other: the last packet of an
     * orderly close, whoever closed first; after it the connection sends nothing more.
     */
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    // Acknowledgment numbers that answer each side's FIN, once it went by (event loop only).
    private long clientFinAcknowledgment = -1;
    private long serverFinAcknowledgment = -1;
    private boolean clientFinAcknowledged;
    private boolean serverFinAcknowledged;

    TcpFlows(int serverPort) {
        this.serverPort = serverPort;
    }

    void count(DivertPacket packet) {
        ByteBuf ip = packet.content();
        DivertAddress address = packet.address();
        if (IpPeek.protocol(ip) != IpPeek.TCP
                || address.direction() != DivertAddress.Direction.OUTBOUND
                || !"lo".equals(address.interfaceName())) {
            strangers.incrementAndGet();
        } else if (IpPeek.destinationPort(ip) == serverPort) {
            toServerPackets.incrementAndGet();
            int data = IpPeek.transportPayloadLength(ip);
            toServerData.addAndGet(data);
            clientFinAcknowledgment = finAcknowledgment(ip, data, clientFinAcknowledgment);
            serverFinAcknowledged |= acknowledges(ip, serverFinAcknowledgment);
        } else if (IpPeek.sourcePort(ip) == serverPort) {
            fromServerPackets.incrementAndGet();
            int data = IpPeek.transportPayloadLength(ip);
            fromServerData.addAndGet(data);
            serverFinAcknowledgment = finAcknowledgment(ip, data, serverFinAcknowledgment);
            clientFinAcknowledged |= acknowledges(ip, clientFinAcknowledgment);
        } else {
            strangers.incrementAndGet();
            return;
        }
        if (ip.readableBytes() < IpPeek.declaredLength(ip)) {
            cutShort.incrementAndGet();
        }
        if ((IpPeek.tcpFlags(ip) & IpPeek.TCP_RST) != 0) {
            resets.incrementAndGet();
        }
        if (clientFinAcknowledged && serverFinAcknowledged) {
            closed.complete(null);
        }
    }

    /** The acknowledgment that answers this packet's FIN (which follows its data), else {@code previous}. */
    private static long finAcknowledgment(ByteBuf ip, int data, long previous) {
        if ((IpPeek.tcpFlags(ip) & IpPeek.TCP_FIN) == 0) {
            return previous;
        }
        return (IpPeek.tcpSequence(ip) + data + 1) & 0xFFFF_FFFFL;
    }

    private static boolean acknowledges(ByteBuf ip, long finAcknowledgment) {
        return finAcknowledgment >= 0
                && (IpPeek.tcpFlags(ip) & IpPeek.TCP_ACK) != 0
                && IpPeek.tcpAcknowledgment(ip) == finAcknowledgment;
    }

    @Override
    public String toString() {
        return "to server " + toServerPackets + " packets, " + toServerData + " data bytes; from server "
                + fromServerPackets + " packets, " + fromServerData + " data bytes; resets " + resets + "; others "
                + strangers;
    }
}
