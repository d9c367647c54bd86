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
 * WriteBackHandler}). Besides counting, it watches for the packet that ends a connection closed
 * by the client first: the client's ACK of the server's FIN.
 */
final class TcpFlows {
    final int serverPort;
    final AtomicLong toServerPackets = new AtomicLong();
    final AtomicLong fromServerPackets = new AtomicLong();
    final AtomicLong toServerData = new AtomicLong();
    final AtomicLong fromServerData = new AtomicLong();
    final AtomicLong strangers = new AtomicLong();
    /** Completed when the client's ACK of the server's FIN goes by. */
    final CompletableFuture<Void> lastAck = new CompletableFuture<>();
    /** The acknowledgment number that answers the server's FIN, once that FIN went by. */
    private long finAcknowledgment = -1;

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
            toServerData.addAndGet(IpPeek.transportPayloadLength(ip));
            if ((IpPeek.tcpFlags(ip) & IpPeek.TCP_ACK) != 0 && IpPeek.tcpAcknowledgment(ip) == finAcknowledgment) {
                lastAck.complete(null);
            }
        } else if (IpPeek.sourcePort(ip) == serverPort) {
            fromServerPackets.incrementAndGet();
            int data = IpPeek.transportPayloadLength(ip);
            fromServerData.addAndGet(data);
            if ((IpPeek.tcpFlags(ip) & IpPeek.TCP_FIN) != 0) {
                // A FIN takes one sequence number after the segment's data.
                finAcknowledgment = (IpPeek.tcpSequence(ip) + data + 1) & 0xFFFF_FFFFL;
            }
        } else {
            strangers.incrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "to server " + toServerPackets + " packets, " + toServerData + " data bytes; from server "
                + fromServerPackets + " packets, " + fromServerData + " data bytes; others " + strangers;
    }
}
