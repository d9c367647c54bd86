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

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import java.util.Objects;
import org.nettydivert.transport.DivertPacket;

/**
 * Turns each {@link IpPacket} written back into the {@link DivertPacket} it came from, address
 * preserved. The IPv4 header checksum is always recomputed (20 to 60 bytes, cheap, and it makes
 * plain setters safe); the transport checksum only with {@link ChecksumMode#FULL}, since the
 * {@code ...UpdatingChecksum} setters keep it right incrementally. Stateless and sharable.
 */
@Sharable
public final class IpPacketEncoder extends MessageToMessageEncoder<IpPacket> {
    /** Which checksums the encoder recomputes from scratch. */
    public enum ChecksumMode {
        /** The IPv4 header checksum only; the transport header's is trusted to be kept right by the setters. */
        IP_HEADER,
        /** Every checksum: for pipelines that change payloads or use the plain setters. */
        FULL
    }

    private final ChecksumMode mode;

    /** An encoder that recomputes the IPv4 header checksum only. */
    public IpPacketEncoder() {
        this(ChecksumMode.IP_HEADER);
    }

    /** An encoder that recomputes the checksums {@code mode} says. */
    public IpPacketEncoder(ChecksumMode mode) {
        super(IpPacket.class);
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, IpPacket msg, List<Object> out) {
        if (mode == ChecksumMode.FULL) {
            msg.updateChecksums();
        } else {
            msg.updateIpChecksum();
        }
        // The superclass releases msg after this method; the DivertPacket shares its count.
        out.add(msg.packet().retain());
    }
}
