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
 * Limits the rate of selected packets with a token bucket, as Linux's {@code tbf} qdisc does
 * ({@code tc qdisc add ... tbf rate R burst B limit L}).
 *
 * <p>The bucket holds up to {@code burst} bytes of tokens and fills at {@code rate} bytes per
 * second; it starts full. A packet leaves when the bucket holds as many tokens as the packet has
 * bytes (its IP datagram's length, {@link DivertPacket#originalLength()}; no link-layer overhead),
 * and takes them. Packets wait in arrival order: one that finds the bucket short waits in a queue,
 * and so does every packet after it until the queue is empty again. The queue holds at most
 * {@code queueLimit} bytes; a packet that would have to wait and does not fit is dropped (tail
 * drop, counted in {@link #packetsDropped()}). Over any stretch of time {@code T} in which packets
 * keep coming, at most {@code burst + rate * T} bytes leave.
 *
 * <p>One difference from {@code tbf}, which drops a packet larger than the bucket: here such a
 * packet waits until the bucket is full, then leaves and leaves the bucket owing the difference,
 * so that large (on Linux GSO, up to 64 KiB) packets are slowed rather than lost, and the long-run
 * rate still holds.
 *
 * <p>Each packet's departure time is computed when it arrives (the bucket's state follows from the
 * departures before it), and the packet is held until then on the channel's executor; see {@link
 * ImpairmentHandler}. On Linux the kernel waits for the verdict of each queued packet: keep {@code
 * queueLimit / rate} under {@code VERDICT_TIMEOUT_MILLIS}.
 */
public final class RateLimitHandler extends ImpairmentHandler {
    private static final double NANOS_PER_SECOND = 1e9;

    private final long bytesPerSecond;
    private final long burst;
    private final long queueLimit;
    /** Tokens (bytes) at {@link #lastDeparture}, after that departure took its share; may be negative. */
    private double tokens;

    private long lastDeparture;
    private boolean started;

    private RateLimitHandler(Builder b) {
        super(b);
        this.bytesPerSecond = b.bytesPerSecond;
        this.burst = b.burst;
        this.queueLimit = b.queueLimit >= 0
                ? b.queueLimit
                : Math.max(b.burst, (long) Math.min(Long.MAX_VALUE, b.bytesPerSecond / 10.0));
        this.tokens = burst;
    }

    /**
     * A builder.
     *
     * @param bytesPerSecond the rate, in bytes (not bits) per second, positive
     * @param burst the bucket's size in bytes: how much may leave at once after a pause; positive,
     *     and best at least the largest packet
     * @return a builder; the queue holds a tenth of a second's bytes unless {@link
     *     Builder#queueLimit} says, and at least {@code burst}
     * @throws IllegalArgumentException when the rate or the burst is not positive
     */
    public static Builder builder(long bytesPerSecond, long burst) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("rate " + bytesPerSecond + " bytes/s is not positive");
        }
        if (burst <= 0) {
            throw new IllegalArgumentException("burst " + burst + " bytes is not positive");
        }
        return new Builder(bytesPerSecond, burst);
    }

    /** The queue's limit in bytes. */
    public long queueLimit() {
        return queueLimit;
    }

    @Override
    void impair(ChannelHandlerContext ctx, DivertPacket packet) {
        long now = now(ctx);
        if (!started) {
            started = true;
            lastDeparture = now;
        }
        int length = packet.originalLength();
        long start = Math.max(now, lastDeparture);
        double available = Math.min(burst, tokens + (start - lastDeparture) * (bytesPerSecond / NANOS_PER_SECOND));
        double needed = Math.min(length, burst);
        long wait =
                needed <= available ? 0 : (long) Math.ceil((needed - available) * NANOS_PER_SECOND / bytesPerSecond);
        long departure = start + wait;
        if (departure > now && heldBytes() + packet.content().readableBytes() > queueLimit) {
            drop(packet);
            return;
        }
        tokens = Math.min(burst, available + wait * (bytesPerSecond / NANOS_PER_SECOND)) - length;
        lastDeparture = departure;
        fireAt(ctx, packet, departure);
    }

    @Override
    public String toString() {
        return "RateLimitHandler(" + bytesPerSecond + " bytes/s, burst " + burst + ", queue " + queueLimit + ")";
    }

    /** Sets up a {@link RateLimitHandler}; made by {@link RateLimitHandler#builder}. */
    public static final class Builder extends ImpairmentHandler.Builder<Builder, RateLimitHandler> {
        private final long bytesPerSecond;
        private final long burst;
        private long queueLimit = -1;

        private Builder(long bytesPerSecond, long burst) {
            this.bytesPerSecond = bytesPerSecond;
            this.burst = burst;
        }

        /**
         * How many bytes may wait for tokens; a packet that would make more wait is dropped. 0
         * makes a policer: packets either leave at once or are dropped.
         *
         * @param bytes the limit, not negative
         * @return this builder
         */
        public Builder queueLimit(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("queue limit " + bytes + " bytes is negative");
            }
            this.queueLimit = bytes;
            return this;
        }

        /**
         * Sets the queue's limit to what the rate sends in {@code latency} ({@code tbf}'s {@code
         * latency}): no packet waits longer.
         *
         * @param latency the longest wait, not negative
         * @return this builder
         */
        public Builder queueLatency(Duration latency) {
            notNegative("queue latency", latency);
            double bytes = bytesPerSecond * (latency.toNanos() / NANOS_PER_SECOND);
            this.queueLimit = (long) Math.min(Long.MAX_VALUE, bytes);
            return this;
        }

        @Override
        public RateLimitHandler build() {
            return new RateLimitHandler(this);
        }
    }
}
