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
import org.nettydivert.transport.DivertPacket;

/**
 * Loses selected packets: independently with a fixed probability (netem's {@code loss random P}),
 * or in bursts after the Gilbert–Elliott model (netem's {@code loss gemodel p r 1-h 1-k}). A lost
 * packet is released, which on Linux is its NF_DROP; the others pass on at once.
 *
 * <p><b>Gilbert–Elliott.</b> Two states, good and bad, the model starting in good. For each packet
 * the model first draws whether to leave its state (good to bad with probability {@code p}, bad to
 * good with probability {@code r}), then draws the packet's loss with the loss probability of the
 * state it was in: {@code 1-k} in good, {@code 1-h} in bad. That is the order of netem's {@code
 * loss_gilb_ell}; the four parameters mean what {@code tc-netem(8)} says they mean. In the long
 * run the model is in bad a fraction {@code p/(p+r)} of packets, so the mean loss is
 *
 * <pre>
 *   p/(p+r) * (1-h)  +  r/(p+r) * (1-k)
 * </pre>
 *
 * and a stay in bad lasts {@code 1/r} packets on average: with {@code 1-h = 1} and {@code 1-k = 0}
 * (the "simple Gilbert" model) that is the mean length of a burst of losses.
 */
public final class LossHandler extends ImpairmentHandler {
    private final double p;
    private final double r;
    private final double lossInBad;
    private final double lossInGood;
    private final boolean gilbertElliott;
    private boolean bad;

    private LossHandler(Builder b) {
        super(b);
        this.p = b.p;
        this.r = b.r;
        this.lossInBad = b.lossInBad;
        this.lossInGood = b.lossInGood;
        this.gilbertElliott = b.gilbertElliott;
    }

    /**
     * Independent loss: each selected packet is lost with probability {@code probability}
     * (Bernoulli), as netem's {@code loss random}.
     *
     * @param probability the loss probability, 0 to 1
     * @return a builder
     * @throws IllegalArgumentException when the probability is outside 0..1
     */
    public static Builder random(double probability) {
        Builder b = new Builder();
        b.lossInGood = probability("loss probability", probability);
        return b;
    }

    /**
     * Burst loss after the Gilbert–Elliott model, as netem's {@code loss gemodel p r 1-h 1-k}.
     *
     * @param p the probability of moving from good to bad, per packet
     * @param r the probability of moving from bad to good, per packet
     * @param lossInBad {@code 1-h}: the loss probability in bad
     * @param lossInGood {@code 1-k}: the loss probability in good
     * @return a builder
     * @throws IllegalArgumentException when a probability is outside 0..1 (with {@code p = 0} the
     *     model never leaves good, which is allowed)
     */
    public static Builder gilbertElliott(double p, double r, double lossInBad, double lossInGood) {
        Builder b = new Builder();
        b.gilbertElliott = true;
        b.p = probability("Gilbert-Elliott p (good to bad)", p);
        b.r = probability("Gilbert-Elliott r (bad to good)", r);
        b.lossInBad = probability("Gilbert-Elliott 1-h (loss in bad)", lossInBad);
        b.lossInGood = probability("Gilbert-Elliott 1-k (loss in good)", lossInGood);
        return b;
    }

    /**
     * The long-run fraction of packets lost: {@code p/(p+r)*(1-h) + r/(p+r)*(1-k)}, the random
     * model's probability, or {@code 1-k} when the model never leaves good ({@code p = 0}).
     */
    public double meanLoss() {
        if (!gilbertElliott || p == 0) {
            return lossInGood;
        }
        return p / (p + r) * lossInBad + r / (p + r) * lossInGood;
    }

    /** Whether the Gilbert–Elliott model is in its bad state now (always false for random loss). */
    public boolean inBadState() {
        return bad;
    }

    @Override
    void impair(ChannelHandlerContext ctx, DivertPacket packet) {
        if (lost()) {
            drop(packet);
        } else {
            ctx.fireChannelRead(packet);
        }
    }

    private boolean lost() {
        if (!gilbertElliott) {
            return random().nextDouble() < lossInGood;
        }
        boolean wasBad = bad;
        if (wasBad) {
            if (random().nextDouble() < r) {
                bad = false;
            }
        } else if (random().nextDouble() < p) {
            bad = true;
        }
        return random().nextDouble() < (wasBad ? lossInBad : lossInGood);
    }

    @Override
    public String toString() {
        return gilbertElliott
                ? "LossHandler(gemodel p " + p + " r " + r + " 1-h " + lossInBad + " 1-k " + lossInGood + ")"
                : "LossHandler(random " + lossInGood + ")";
    }

    /** Sets up a {@link LossHandler}; made by {@link #random} or {@link #gilbertElliott}. */
    public static final class Builder extends ImpairmentHandler.Builder<Builder, LossHandler> {
        private boolean gilbertElliott;
        private double p;
        private double r;
        private double lossInBad;
        private double lossInGood;

        private Builder() {}

        @Override
        public LossHandler build() {
            return new LossHandler(this);
        }
    }
}
