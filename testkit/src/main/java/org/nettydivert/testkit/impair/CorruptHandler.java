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
package org.nettydivert.testkit.impair;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.Objects;
import org.nettydivert.transport.DivertPacket;

/**
 * Corrupts selected packets with a fixed probability, as netem's {@code corrupt P}: one bit, at a
 * random place in the chosen part of the packet, is flipped; the packet then passes on.
 *
 * <p><b>Where.</b> netem flips a bit anywhere in the frame's first bytes, headers included. By
 * default ({@link Scope#PAYLOAD}) this handler flips one in the transport payload only (after the
 * UDP or TCP header; after the IP headers for other protocols), so the packet still reaches its
 * destination and only its data is damaged. {@link Scope#TRANSPORT} includes the transport header,
 * {@link Scope#WHOLE_PACKET} the IP header too (on a live channel the IPv4 header checksum is
 * recomputed when the packet is written, so a flipped header bit is not caught by it but acts: a
 * changed address, length or TTL). A packet with nothing in the chosen part passes unchanged.
 *
 * <p><b>Checksums.</b> By default the TCP or UDP checksum is left as it was, as with netem: the
 * receiving host's stack finds it wrong and drops the packet (Linux counts it in {@code
 * InCsumErrors}), so the application sees a loss. {@link Builder#fixChecksums(boolean)
 * fixChecksums(true)} computes the checksum again after the flip, and the damaged data reaches the
 * application, as corruption that a checksum misses would.
 *
 * <p>Truncated packets ({@link DivertPacket#isTruncated()}) pass unchanged: a changed truncated
 * packet cannot be written back.
 */
public final class CorruptHandler extends ImpairmentHandler {
    /** Which bytes of a packet may be corrupted. */
    public enum Scope {
        /** The transport payload: the application's data. */
        PAYLOAD,
        /** The transport header and payload: everything after the IP headers. */
        TRANSPORT,
        /** Every byte of the IP datagram, as netem. */
        WHOLE_PACKET
    }

    private final double probability;
    private final Scope scope;
    private final boolean fixChecksums;
    private volatile long packetsCorrupted;

    private CorruptHandler(Builder b) {
        super(b);
        this.probability = b.probability;
        this.scope = b.scope;
        this.fixChecksums = b.fixChecksums;
    }

    /**
     * A builder.
     *
     * @param probability the probability that a selected packet gets one bit flipped, 0 to 1
     * @return a builder
     * @throws IllegalArgumentException when the probability is outside 0..1
     */
    public static Builder probability(double probability) {
        return new Builder(probability("corruption probability", probability));
    }

    /** How many packets had a bit flipped. */
    public long packetsCorrupted() {
        return packetsCorrupted;
    }

    @Override
    void impair(ChannelHandlerContext ctx, DivertPacket packet) {
        if (!packet.isTruncated() && random().nextDouble() < probability) {
            ByteBuf ip = packet.content();
            int from =
                    switch (scope) {
                        case PAYLOAD -> IpHeaders.payloadOffset(ip);
                        case TRANSPORT -> IpHeaders.transportOffset(ip);
                        case WHOLE_PACKET -> 0;
                    };
            int length = ip.readableBytes() - from;
            if (from >= 0 && length > 0) {
                int at = ip.readerIndex() + from + random().nextInt(length);
                ip.setByte(at, ip.getByte(at) ^ (1 << random().nextInt(8)));
                if (fixChecksums) {
                    IpHeaders.recomputeTransportChecksum(ip);
                }
                packetsCorrupted++;
            }
        }
        ctx.fireChannelRead(packet);
    }

    @Override
    public String toString() {
        return "CorruptHandler(" + probability + ", " + scope + (fixChecksums ? ", checksums fixed)" : ")");
    }

    /** Sets up a {@link CorruptHandler}; made by {@link CorruptHandler#probability}. */
    public static final class Builder extends ImpairmentHandler.Builder<Builder, CorruptHandler> {
        private final double probability;
        private Scope scope = Scope.PAYLOAD;
        private boolean fixChecksums;

        private Builder(double probability) {
            this.probability = probability;
        }

        /**
         * Which bytes may be flipped; {@link Scope#PAYLOAD} by default.
         *
         * @param scope the part of the packet
         * @return this builder
         */
        public Builder scope(Scope scope) {
            this.scope = Objects.requireNonNull(scope, "scope");
            return this;
        }

        /**
         * Whether to compute the TCP or UDP checksum again after the flip; false by default (the
         * receiver's stack then drops the packet).
         *
         * @param fixChecksums true to fix them
         * @return this builder
         */
        public Builder fixChecksums(boolean fixChecksums) {
            this.fixChecksums = fixChecksums;
            return this;
        }

        @Override
        public CorruptHandler build() {
            return new CorruptHandler(this);
        }
    }
}
