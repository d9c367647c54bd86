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

import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.codec.ip.IpProtocol;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;
import org.nettydivert.transport.PacketMetadata;

/** The one-line description of a packet that {@code dump} prints, like the divert(4) sample programs. */
final class PacketLine {
    private PacketLine() {}

    static String of(IpPacket packet) {
        DivertAddress address = packet.address();
        StringBuilder sb = new StringBuilder(96);
        sb.append(address.direction() == null ? "-" : address.direction().name());
        sb.append(' ').append(address.interfaceName() == null ? "?" : address.interfaceName());
        sb.append(' ').append(packet.sourceAddress().getHostAddress());
        if (packet.hasTransportHeader() && packet.sourcePort() >= 0) {
            sb.append(":").append(packet.sourcePort());
        }
        sb.append(" -> ").append(packet.destinationAddress().getHostAddress());
        if (packet.destinationPort() >= 0) {
            sb.append(':').append(packet.destinationPort());
        }
        sb.append(' ').append(IpProtocol.name(packet.protocol()));
        if (packet.protocol() == IpProtocol.TCP && packet.tcp() != null) {
            packet.tcp().appendFlags(sb.append(" ["));
            sb.append(']');
        }
        sb.append(" len ").append(packet.length());
        DivertPacket diverted = packet.packet();
        if (diverted.isTruncated()) {
            sb.append(" (captured ").append(diverted.content().readableBytes()).append(')');
        }
        appendMetadata(sb, diverted.metadata());
        return sb.toString();
    }

    /**
     * What the kernel said beyond the address, where it said it (Linux): the hook, both devices,
     * the owner as {@code uid N gid N} and the conntrack state as the kernel names it. Nothing for
     * packets without metadata (BSD, replayed captures), so those lines stay as they were.
     */
    private static void appendMetadata(StringBuilder sb, PacketMetadata metadata) {
        if (metadata.hook() == null) {
            return;
        }
        sb.append(' ').append(metadata.hook());
        sb.append(" in ").append(device(metadata.inInterface(), metadata.inInterfaceIndex()));
        sb.append(" out ").append(device(metadata.outInterface(), metadata.outInterfaceIndex()));
        if (metadata.uid() >= 0) {
            sb.append(" uid ").append(metadata.uid()).append(" gid ").append(metadata.gid());
        }
        if (metadata.conntrackState() != null) {
            sb.append(' ').append(metadata.conntrackState().kernelName());
        }
    }

    /** A device by name, by index if it is gone, or "-" for none. */
    private static String device(String name, int index) {
        return name != null ? name : index > 0 ? "#" + index : "-";
    }
}
