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
import java.util.function.Function;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * Duplicates selected packets with a fixed probability, as netem's {@code duplicate P}: the packet
 * passes on, and right after it a second packet with the same bytes.
 *
 * <p><b>The duplicate is a new packet, not a second verdict.</b> A read packet can be given back
 * to the kernel only once (on Linux it is one NFQUEUE verdict; writing it twice fails the second
 * write). So the duplicate is a copy of the content in a buffer of its own, with an
 * <em>injection</em> address: one without a {@linkplain DivertAddress#hasTag() tag}, which the
 * channel sends as a new packet. By default that is {@link DivertAddress#outbound()} for a packet
 * diverted outbound (or of unknown direction), and {@link DivertAddress#inbound(String)} on the
 * packet's interface for an inbound one. On Linux the channel injects through a raw socket
 * (root or CAP_NET_RAW), marks the copy with {@code INJECT_MARK} so that the diverting rule lets
 * it pass, and cannot inject inbound: select outbound packets there ({@link
 * FlowSelector#direction}), or give another address with {@link Builder#duplicateAddress}. Under
 * {@code OfflineReplay} the duplicate counts as an injection.
 *
 * <p>Truncated packets ({@link DivertPacket#isTruncated()}) are never duplicated: their bytes are
 * not all there to copy. The copy keeps no metadata and no mark.
 */
public final class DuplicateHandler extends ImpairmentHandler {
    private final double probability;
    private final Function<DivertPacket, DivertAddress> duplicateAddress;
    private volatile long packetsDuplicated;

    private DuplicateHandler(Builder b) {
        super(b);
        this.probability = b.probability;
        this.duplicateAddress = b.duplicateAddress;
    }

    /**
     * A builder.
     *
     * @param probability the probability that a selected packet is duplicated, 0 to 1
     * @return a builder
     * @throws IllegalArgumentException when the probability is outside 0..1
     */
    public static Builder probability(double probability) {
        return new Builder(probability("duplication probability", probability));
    }

    /**
     * The address a duplicate is injected with by default: {@link DivertAddress#inbound(String)}
     * (or by interface address) for inbound packets whose interface is known, else {@link
     * DivertAddress#outbound()}.
     *
     * @param original the packet duplicated
     * @return an injection address
     */
    public static DivertAddress injectionAddressFor(DivertPacket original) {
        DivertAddress address = original.address();
        if (address != null && address.isInbound()) {
            if (address.interfaceName() != null) {
                return DivertAddress.inbound(address.interfaceName());
            }
            if (address.interfaceAddress() != null) {
                return DivertAddress.inbound(address.interfaceAddress());
            }
        }
        return DivertAddress.outbound();
    }

    /** How many duplicates the handler made. */
    public long packetsDuplicated() {
        return packetsDuplicated;
    }

    @Override
    void impair(ChannelHandlerContext ctx, DivertPacket packet) {
        if (packet.isTruncated() || random().nextDouble() >= probability) {
            ctx.fireChannelRead(packet);
            return;
        }
        ByteBuf content = packet.content();
        ByteBuf copy = ctx.alloc().buffer(content.readableBytes());
        DivertPacket duplicate;
        try {
            copy.writeBytes(content, content.readerIndex(), content.readableBytes());
            duplicate =
                    new DivertPacket(copy, Objects.requireNonNull(duplicateAddress.apply(packet), "duplicate address"));
        } catch (RuntimeException e) {
            copy.release();
            packet.release();
            throw e;
        }
        packetsDuplicated++;
        ctx.fireChannelRead(packet);
        ctx.fireChannelRead(duplicate);
    }

    @Override
    public String toString() {
        return "DuplicateHandler(" + probability + ")";
    }

    /** Sets up a {@link DuplicateHandler}; made by {@link DuplicateHandler#probability}. */
    public static final class Builder extends ImpairmentHandler.Builder<Builder, DuplicateHandler> {
        private final double probability;
        private Function<DivertPacket, DivertAddress> duplicateAddress = DuplicateHandler::injectionAddressFor;

        private Builder(double probability) {
            this.probability = probability;
        }

        /**
         * The address each duplicate is written with; {@link #injectionAddressFor} by default. It
         * should be an injection address (no tag): a read address would be a second verdict for
         * the original, which the channel refuses.
         *
         * @param duplicateAddress the original packet's duplicate's address
         * @return this builder
         */
        public Builder duplicateAddress(Function<DivertPacket, DivertAddress> duplicateAddress) {
            this.duplicateAddress = Objects.requireNonNull(duplicateAddress, "duplicateAddress");
            return this;
        }

        @Override
        public DuplicateHandler build() {
            return new DuplicateHandler(this);
        }
    }
}
