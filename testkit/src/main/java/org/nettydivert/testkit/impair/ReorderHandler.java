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

import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.Objects;
import org.nettydivert.transport.DivertPacket;

/**
 * Reorders selected packets as netem's {@code delay D reorder P gap N} does: packets are delayed
 * by D, except that some are sent at once and so overtake the delayed ones before them.
 *
 * <p>The model is netem's: a counter counts packets since the last one sent at once. While it is
 * below {@code N-1} a packet is delayed; from then on each packet is sent at once with probability
 * {@code P} (which sets the counter back to zero) and delayed otherwise. With the default {@code
 * N = 1} every packet is sent at once with probability P, independently; in general the fraction
 * sent at once is {@code P / (1 + (N-1)P)} ({@link #expectedFractionSentAtOnce()}). A packet sent
 * at once is seen out of order by the receiver when packets before it are still being delayed,
 * that is when packets come closer together than D.
 *
 * <p>netem without a delay does not reorder; here the delay is required and must be positive.
 */
public final class ReorderHandler extends ImpairmentHandler {
    private final double probability;
    private final int gap;
    private final long delayNanos;
    private int counter;
    private volatile long packetsSentAtOnce;

    private ReorderHandler(Builder b) {
        super(b);
        this.probability = b.probability;
        this.gap = b.gap;
        this.delayNanos = b.delay.toNanos();
    }

    /**
     * A builder.
     *
     * @param probability P: the probability that a packet past the gap is sent at once, 0 to 1
     * @param delay D: how long the other packets are delayed, positive
     * @return a builder
     * @throws IllegalArgumentException when P is outside 0..1 or D not positive
     */
    public static Builder builder(double probability, Duration delay) {
        return new Builder(probability("reorder probability", probability), delay);
    }

    /** How many packets were sent at once, ahead of those delayed. */
    public long packetsSentAtOnce() {
        return packetsSentAtOnce;
    }

    /** The long-run fraction of selected packets sent at once: {@code P / (1 + (N-1)P)}. */
    public double expectedFractionSentAtOnce() {
        return probability / (1 + (gap - 1) * probability);
    }

    @Override
    void impair(ChannelHandlerContext ctx, DivertPacket packet) {
        if (counter < gap - 1 || random().nextDouble() >= probability) {
            counter++;
            fireAt(ctx, packet, now(ctx) + delayNanos);
        } else {
            counter = 0;
            packetsSentAtOnce++;
            ctx.fireChannelRead(packet);
        }
    }

    @Override
    public String toString() {
        return "ReorderHandler(" + probability + " gap " + gap + ", delay " + Duration.ofNanos(delayNanos) + ")";
    }

    /** Sets up a {@link ReorderHandler}; made by {@link ReorderHandler#builder}. */
    public static final class Builder extends ImpairmentHandler.Builder<Builder, ReorderHandler> {
        private final double probability;
        private final Duration delay;
        private int gap = 1;

        private Builder(double probability, Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException(
                        "reorder delay " + delay + " is not positive: without a delay nothing" + " is overtaken");
            }
            if (delay.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("reorder delay " + delay + " is longer than a day");
            }
            this.probability = probability;
            this.delay = delay;
        }

        /**
         * N: how many packets after one sent at once are always delayed, plus one; 1 by default.
         *
         * @param gap N, at least 1
         * @return this builder
         */
        public Builder gap(int gap) {
            if (gap < 1) {
                throw new IllegalArgumentException("reorder gap " + gap + " is less than 1");
            }
            this.gap = gap;
            return this;
        }

        @Override
        public ReorderHandler build() {
            return new ReorderHandler(this);
        }
    }
}
