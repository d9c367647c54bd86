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
import org.nettydivert.transport.DivertPacket;

/**
 * Delays each selected packet, as netem's {@code delay D J [distribution normal]} does.
 *
 * <p>Each packet's delay is drawn on its own: by default uniformly from {@code [D-J, D+J]}
 * (netem's default, its {@code tabledist} without a table), or with {@link
 * Distribution#NORMAL} from a normal distribution of mean D and standard deviation J (netem's
 * {@code distribution normal}, which reads a table of the same shape). A draw below zero counts
 * as zero, so a jitter larger than the delay shifts the mean up. Correlation between successive
 * delays (netem's third parameter) is not modelled.
 *
 * <p><b>Order.</b> Like netem (whose queue is sorted by each packet's time to send), packets
 * leave in the order of their own deadlines, so a jitter larger than the gap between two packets
 * reorders them. {@link Builder#keepOrder(boolean) keepOrder(true)} keeps arrival order instead:
 * a packet never leaves before the one that arrived before it (its deadline is at least that
 * one's), which is what a single link with a variable delay does.
 *
 * <p>Held packets are fired from a timer on the channel's executor; see {@link ImpairmentHandler}
 * for the conventions (flush, removal, counters). On Linux the kernel waits for the verdict of
 * each held packet: keep {@code D+J} well under {@code DivertChannelOption.VERDICT_TIMEOUT_MILLIS}
 * (5 s by default), and the number of packets in flight under {@code QUEUE_MAXLEN}.
 */
public final class DelayHandler extends ImpairmentHandler {
    /** How each packet's delay is drawn. */
    public enum Distribution {
        /** Uniform in {@code [D-J, D+J]}, netem's default. */
        UNIFORM,
        /** Normal with mean D and standard deviation J, cut at zero. */
        NORMAL
    }

    private final long delayNanos;
    private final long jitterNanos;
    private final Distribution distribution;
    private final boolean keepOrder;
    private long lastDeadline = Long.MIN_VALUE;

    private DelayHandler(Builder b) {
        super(b);
        this.delayNanos = b.delay.toNanos();
        this.jitterNanos = b.jitter.toNanos();
        this.distribution = b.distribution;
        this.keepOrder = b.keepOrder;
    }

    /** A builder: no delay, no jitter, uniform, netem's order, every packet, a random seed. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    void impair(ChannelHandlerContext ctx, DivertPacket packet) {
        long now = now(ctx);
        long deadline = now + drawDelayNanos();
        if (keepOrder) {
            deadline = Math.max(deadline, lastDeadline);
            lastDeadline = deadline;
        }
        fireAt(ctx, packet, deadline);
    }

    /** One packet's delay, never negative. */
    private long drawDelayNanos() {
        if (jitterNanos == 0) {
            return delayNanos;
        }
        long delay;
        if (distribution == Distribution.UNIFORM) {
            delay = delayNanos - jitterNanos + random().nextLong(2 * jitterNanos + 1);
        } else {
            delay = delayNanos + Math.round(random().nextGaussian() * jitterNanos);
        }
        return Math.max(0, delay);
    }

    @Override
    public String toString() {
        return "DelayHandler(delay " + Duration.ofNanos(delayNanos) + ", jitter " + Duration.ofNanos(jitterNanos) + " "
                + distribution + (keepOrder ? ", order kept)" : ")");
    }

    /** Sets up a {@link DelayHandler}. */
    public static final class Builder extends ImpairmentHandler.Builder<Builder, DelayHandler> {
        private Duration delay = Duration.ZERO;
        private Duration jitter = Duration.ZERO;
        private Distribution distribution = Distribution.UNIFORM;
        private boolean keepOrder;

        private Builder() {}

        /**
         * The mean delay D; zero by default.
         *
         * @param delay D, not negative, at most a day
         * @return this builder
         */
        public Builder delay(Duration delay) {
            this.delay = bounded("delay", delay);
            return this;
        }

        /**
         * The jitter J: half the width of the uniform distribution, or the normal distribution's
         * standard deviation; zero by default (every packet delayed exactly D).
         *
         * @param jitter J, not negative, at most a day
         * @return this builder
         */
        public Builder jitter(Duration jitter) {
            this.jitter = bounded("jitter", jitter);
            return this;
        }

        /**
         * How delays are drawn; {@link Distribution#UNIFORM} by default.
         *
         * @param distribution the distribution
         * @return this builder
         */
        public Builder distribution(Distribution distribution) {
            this.distribution = java.util.Objects.requireNonNull(distribution, "distribution");
            return this;
        }

        /**
         * Whether packets keep their arrival order whatever their delays; false by default, as in
         * netem, where jitter reorders.
         *
         * @param keepOrder true to keep the order
         * @return this builder
         */
        public Builder keepOrder(boolean keepOrder) {
            this.keepOrder = keepOrder;
            return this;
        }

        @Override
        public DelayHandler build() {
            return new DelayHandler(this);
        }

        private static Duration bounded(String what, Duration d) {
            notNegative(what, d);
            if (d.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(what + " " + d + " is longer than a day");
            }
            return d;
        }
    }
}
