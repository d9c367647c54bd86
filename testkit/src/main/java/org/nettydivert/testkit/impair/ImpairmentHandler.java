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
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.nettydivert.transport.DivertPacket;

/**
 * What every impairment handler shares: the selection of packets, the seeded random source, the
 * packets held for later, and the counters.
 *
 * <p><b>Convention.</b> An impairment handler is an inbound handler that sits before the handler
 * that writes packets (the user's pipeline, or a plain write-back). It reads {@link
 * DivertPacket}s; a packet it lets through goes on with {@code ctx.fireChannelRead}, a packet it
 * loses it releases (on Linux that is the packet's NF_DROP), a packet it delays it holds and
 * fires later from a task on {@code ctx.executor()}, followed by one {@code
 * fireChannelReadComplete()} for each batch fired, so a writer that flushes on {@code
 * channelReadComplete} (as the usual write-back does) flushes them. Messages that are not {@code
 * DivertPacket}s, and packets its {@link FlowSelector} does not select, pass untouched and in
 * place. Handlers can be chained (delay then loss, ...); each is one channel's, not {@code
 * @Sharable}.
 *
 * <pre>{@code
 * pipeline.addLast(
 *         DelayHandler.builder().delay(Duration.ofMillis(50)).jitter(Duration.ofMillis(10)).seed(1).build(),
 *         LossHandler.random(0.01).select(FlowSelector.udp()).seed(1).build(),
 *         new WriteBack()); // ctx.write(msg) in channelRead, ctx.flush() in channelReadComplete
 * }</pre>
 *
 * <p><b>Time</b> is the event loop's: {@code ctx.executor().ticker()} and {@code
 * ctx.executor().schedule(...)}, never the wall clock. Under codec-ip's {@code OfflineReplay}, whose
 * loop runs on the capture's clock, a packet delayed 50 ms is written 50 ms of capture time later.
 * On a live {@code DivertIoHandler} loop timers fire at whole milliseconds, never early: expect up
 * to a millisecond more than asked.
 *
 * <p><b>Randomness</b> comes from one {@link RandomGenerator} per handler, made from {@link
 * Builder#seed(long)} (a {@link SplittableRandom}) or given with {@link Builder#random}; without
 * either the handler picks a seed and tells it ({@link #seed()}), so a failing run can be
 * repeated. The same seed and the same packets in the same order give the same decisions.
 *
 * <p><b>Nothing is lost silently.</b> Packets held when the handler is removed or the channel goes
 * inactive are released (dropped) and counted in {@link #packetsDiscarded()}. Each packet the
 * handler receives is passed on or released exactly once.
 *
 * <p><b>Counters</b> are updated on the event loop and may be read from any thread.
 *
 * <p>The models are netem's ({@code tc-netem(8)}, Linux {@code net/sched/sch_netem.c}), as each
 * handler says. The tests check the handlers' statistics against those models' formulas rather
 * than against netem itself, which the kernels the tests run on do not always have.
 */
public abstract sealed class ImpairmentHandler extends ChannelInboundHandlerAdapter
        permits DelayHandler, LossHandler, DuplicateHandler, ReorderHandler, RateLimitHandler, CorruptHandler {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(ImpairmentHandler.class);

    private final FlowSelector selector;
    private final RandomGenerator random;
    private final OptionalLong seed;
    /** Packets held for later, earliest deadline first, ties in arrival order. */
    private final PriorityQueue<Held> held = new PriorityQueue<>();

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private long timerDeadline;
    private long arrivals;
    private long heldBytes;

    private volatile long packetsSelected;
    private volatile long packetsDropped;
    private volatile long packetsDiscarded;
    private volatile int packetsHeld;

    ImpairmentHandler(Builder<?, ?> builder) {
        this.selector = builder.selector;
        if (builder.random != null) {
            this.random = builder.random;
            this.seed = OptionalLong.empty();
        } else {
            long s = builder.seed != null ? builder.seed : new SplittableRandom().nextLong();
            this.random = new SplittableRandom(s);
            this.seed = OptionalLong.of(s);
        }
    }

    /**
     * The seed of the handler's random source: the one given to {@link Builder#seed(long)}, or
     * the one the handler picked; empty when a {@link RandomGenerator} was given instead.
     *
     * @return the seed, if the handler made its random source
     */
    public final OptionalLong seed() {
        return seed;
    }

    /** How many packets the selector selected, and so were subject to the impairment. */
    public final long packetsSelected() {
        return packetsSelected;
    }

    /** How many selected packets the impairment itself dropped (lost, over a queue's limit). */
    public final long packetsDropped() {
        return packetsDropped;
    }

    /** How many held packets were released unsent because the handler was removed or the channel closed. */
    public final long packetsDiscarded() {
        return packetsDiscarded;
    }

    /** How many packets the handler holds now, to be fired later. */
    public final int packetsHeld() {
        return packetsHeld;
    }

    @Override
    public final void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DivertPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean selected;
        try {
            selected = selector.test(packet);
        } catch (RuntimeException | Error e) {
            // The packet would leak on its way to exceptionCaught: drop it, and say why there.
            packet.release();
            throw e;
        }
        if (selected) {
            packetsSelected++;
            impair(ctx, packet);
        } else {
            ctx.fireChannelRead(packet);
        }
    }

    /**
     * Impairs one selected packet: passes it on (at once or later), or drops it. Runs on the
     * event loop; the handler owns {@code packet} from here on.
     */
    abstract void impair(ChannelHandlerContext ctx, DivertPacket packet);

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) {
        discardHeld("the channel went inactive");
        ctx.fireChannelInactive();
    }

    @Override
    public final void handlerRemoved(ChannelHandlerContext ctx) {
        discardHeld("the handler was removed");
    }

    /** The event loop's time now, in the ticker's nanoseconds. */
    final long now(ChannelHandlerContext ctx) {
        return ctx.executor().ticker().nanoTime();
    }

    /** The random source; used on the event loop only. */
    final RandomGenerator random() {
        return random;
    }

    /** Loses {@code packet}: releases it and counts it. */
    final void drop(DivertPacket packet) {
        packetsDropped++;
        packet.release();
    }

    /**
     * Fires {@code packet} at {@code deadline} (ticker nanoseconds). A deadline already passed
     * fires it now, after the held packets already due, so deadlines keep their order.
     */
    final void fireAt(ChannelHandlerContext ctx, DivertPacket packet, long deadline) {
        long now = now(ctx);
        if (deadline <= now) {
            fireDue(ctx, deadline);
            ctx.fireChannelRead(packet);
            return;
        }
        held.add(new Held(deadline, arrivals++, packet));
        heldBytes += packet.content().readableBytes();
        packetsHeld = held.size();
        if (timer == null || deadline < timerDeadline) {
            if (timer != null) {
                timer.cancel(false);
            }
            schedule(ctx, deadline, now);
        }
    }

    /** Bytes of the packets held now (content's readable bytes). */
    final long heldBytes() {
        return heldBytes;
    }

    private void schedule(ChannelHandlerContext ctx, long deadline, long now) {
        timerDeadline = deadline;
        timer = ctx.executor().schedule(this::timerFired, deadline - now, TimeUnit.NANOSECONDS);
    }

    private void timerFired() {
        ChannelHandlerContext ctx = this.ctx;
        timer = null;
        if (ctx == null || ctx.isRemoved()) {
            return;
        }
        long now = now(ctx);
        if (fireDue(ctx, now)) {
            ctx.fireChannelReadComplete();
        }
        Held next = held.peek();
        if (next != null && timer == null) {
            schedule(ctx, next.deadline, now);
        }
    }

    /** Fires the held packets due at {@code time}, in deadline order; true if any. */
    private boolean fireDue(ChannelHandlerContext ctx, long time) {
        boolean fired = false;
        Held h;
        while ((h = held.peek()) != null && h.deadline <= time) {
            held.poll();
            heldBytes -= h.packet.content().readableBytes();
            packetsHeld = held.size();
            fired = true;
            ctx.fireChannelRead(h.packet);
        }
        return fired;
    }

    private void discardHeld(String why) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        int count = held.size();
        Held h;
        while ((h = held.poll()) != null) {
            packetsDiscarded++;
            h.packet.release();
        }
        packetsHeld = 0;
        heldBytes = 0;
        if (count > 0) {
            logger.debug("{}: released {} held packets unsent: {}", getClass().getSimpleName(), count, why);
        }
    }

    /** A held packet and when it goes. */
    private record Held(long deadline, long arrival, DivertPacket packet) implements Comparable<Held> {
        @Override
        public int compareTo(Held o) {
            int byDeadline = Long.compare(deadline, o.deadline);
            return byDeadline != 0 ? byDeadline : Long.compare(arrival, o.arrival);
        }
    }

    /** Checks that {@code p} is a probability: "loss probability 1.5 is outside 0..1". */
    static double probability(String what, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " " + p + " is outside 0..1");
        }
        return p;
    }

    /** Checks that {@code d} is given and not negative. */
    static Duration notNegative(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " " + d + " is negative");
        }
        return d;
    }

    /**
     * What every impairment handler's builder has: the selector and the random source.
     *
     * @param <B> the builder's own type, for chained calls
     * @param <H> the handler it builds
     */
    public abstract static sealed class Builder<B extends Builder<B, H>, H extends ImpairmentHandler>
            permits DelayHandler.Builder,
                    LossHandler.Builder,
                    DuplicateHandler.Builder,
                    ReorderHandler.Builder,
                    RateLimitHandler.Builder,
                    CorruptHandler.Builder {
        private FlowSelector selector = FlowSelector.all();
        private RandomGenerator random;
        private Long seed;

        Builder() {}

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * Which packets to impair; every packet by default. The others pass untouched.
         *
         * @param selector the selector
         * @return this builder
         */
        public final B select(FlowSelector selector) {
            this.selector = Objects.requireNonNull(selector, "selector");
            return self();
        }

        /**
         * Seeds the handler's random source (a {@link SplittableRandom}): the same seed and the
         * same packets give the same decisions.
         *
         * @param seed the seed
         * @return this builder
         */
        public final B seed(long seed) {
            this.seed = seed;
            this.random = null;
            return self();
        }

        /**
         * The handler's random source, used on its event loop only; replaces a {@link #seed}.
         *
         * @param random the source, which the handler uses alone from then on
         * @return this builder
         */
        public final B random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            this.seed = null;
            return self();
        }

        /**
         * The handler, for one channel.
         *
         * @return a new handler
         * @throws IllegalStateException when a parameter the handler needs was not given
         */
        public abstract H build();
    }
}
