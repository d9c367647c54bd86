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
    private final ChecksumPolicy checksums;
    private final IpPacketParser parser = new IpPacketParser();
    private volatile long malformed;
    private volatile long partialChecksums;

    /** A decoder that passes malformed datagrams on raw, as {@link DivertPacket}s. */
    public IpPacketDecoder() {
        this(MalformedPacketAction.PASS_RAW);
    }

    /** A decoder that handles malformed datagrams as {@code onMalformed} says. */
    public IpPacketDecoder(MalformedPacketAction onMalformed) {
        this(onMalformed, ChecksumPolicy.IGNORE);
    }

    /**
     * A decoder that also checks checksums: a datagram {@code checksums} does not accept is
     * malformed ({@link MalformedReason#BAD_CHECKSUM}) and handled as {@code onMalformed} says.
     * {@link ChecksumPolicy#ACCEPT_PARTIAL} lets offloaded TCP and UDP checksums through, as a
     * Linux host's own packets and captures on veth or loopback carry them.
     */
    public IpPacketDecoder(MalformedPacketAction onMalformed, ChecksumPolicy checksums) {
        super(DivertPacket.class);
        this.onMalformed = Objects.requireNonNull(onMalformed, "onMalformed");
        this.checksums = Objects.requireNonNull(checksums, "checksums");
    }

    /** How many datagrams were accepted with a partial (offloaded) checksum so far. */
    public long partialChecksumCount() {
        return partialChecksums;
    }

    /** How many datagrams could not be parsed, or failed the checksum check, so far, whatever was done with them. */
    public long malformedCount() {
        return malformed;
    }

    /** Which checksum is wrong, for the report. */
    private static String wrongChecksum(IpPacket packet) {
        if (packet.isIpv4() && !packet.ipv4().verifyChecksum()) {
            return String.format(
                    "wrong IPv4 header checksum 0x%04x", packet.ipv4().checksum());
        }
        return String.format(
                "wrong %s checksum 0x%04x",
                IpProtocol.name(packet.protocol()), packet.transportHeader().checksum());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DivertPacket msg, List<Object> out) {
        IpPacket packet = new IpPacket(msg);
        MalformedReason reason = parser.parse(packet);
        String detail = reason == null ? null : parser.detail();
        if (reason == null && checksums != ChecksumPolicy.IGNORE) {
            ChecksumStatus status = packet.checksumStatus();
            if (!checksums.accepts(status)) {
                reason = MalformedReason.BAD_CHECKSUM;
                detail = status == ChecksumStatus.PARTIAL
                        ? "partial (offloaded) checksum, refused by " + checksums
                        : wrongChecksum(packet);
            } else if (status == ChecksumStatus.PARTIAL) {
                partialChecksums++;
            }
        }
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
                        reason, detail, msg.address(), msg.content().readableBytes(), firstBytes(msg.content())));
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
