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

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nettydivert.transport.Divert;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertChannelOption;
import org.nettydivert.transport.DivertIoHandler;
import org.nettydivert.transport.PacketMetadata;

/**
 * Runs one pipeline on a divert port (or on several, one channel each) until the pipeline closes the channel or the process gets
 * SIGINT/SIGTERM, then prints the totals. Failures to start are one line on stderr.
 */
final class DivertRunner {
    private DivertRunner() {}

    /**
     * Binds {@code port} with {@code handler}; {@code totals} is printed at the end, {@code
     * started} is called once the channel is bound (to start periodic reports). Returns the
     * exit code.
     */
    static int run(
            String command,
            int port,
            ChannelHandler handler,
            Supplier<String> totals,
            Consumer<DivertChannel> started,
            PrintStream out,
            PrintStream err,
            boolean debug) {
        return run(command, port, Set.of(), handler, totals, started, out, err, debug);
    }

    /**
     * As {@link #run(String, int, ChannelHandler, Supplier, Consumer, PrintStream, PrintStream,
     * boolean)}, asking the kernel for the packet metadata {@code metadata} where there is such a
     * thing (Linux; the BSDs have none and would refuse the option).
     */
    static int run(
            String command,
            int port,
            Set<PacketMetadata.Extra> metadata,
            ChannelHandler handler,
            Supplier<String> totals,
            Consumer<DivertChannel> started,
            PrintStream out,
            PrintStream err,
            boolean debug) {
        return run(command, port, 1, metadata, handler, totals, bound -> started.accept(bound.get(0)), out, err, debug);
    }

    /**
     * Binds {@code channels} channels, to the divert ports {@code port} to {@code port + channels -
     * 1}, each on an event loop of its own (a group of {@code channels} threads), all with {@code
     * handler}, which must therefore be sharable when there is more than one. {@code started} gets
     * them all once they are bound. When one closes, the others are closed too; {@code totals} is
     * printed once all are closed.
     */
    static int run(
            String command,
            int port,
            int channels,
            Set<PacketMetadata.Extra> metadata,
            ChannelHandler handler,
            Supplier<String> totals,
            Consumer<List<DivertChannel>> started,
            PrintStream out,
            PrintStream err,
            boolean debug) {
        if (!Divert.isAvailable()) {
            err.println(command + ": " + Divert.unavailabilityCause().getMessage());
            return 1;
        }
        // One thread per channel: the group hands its loops out in turn, so each bind below gets
        // a loop of its own.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(channels, DivertIoHandler.newFactory());
        CountDownLatch reported = new CountDownLatch(1);
        List<DivertChannel> bound = new ArrayList<>();
        try {
            Bootstrap bootstrap = new Bootstrap();
            if (!metadata.isEmpty() && System.getProperty("os.name", "").startsWith("Linux")) {
                bootstrap.option(DivertChannelOption.NFQUEUE_METADATA, metadata);
            }
            // For measurements (docs/BENCHMARKS.md): -Dnettydivert.gso=false|true overrides the default.
            String gso = System.getProperty("nettydivert.gso");
            if (gso != null) {
                bootstrap.option(DivertChannelOption.GSO, Boolean.parseBoolean(gso));
            }
            bootstrap.group(group).channel(DivertChannel.class).handler(handler);
            for (int i = 0; i < channels; i++) {
                ChannelFuture bind =
                        bootstrap.bind(DivertAddress.port(port + i)).awaitUninterruptibly();
                if (!bind.isSuccess()) {
                    err.println(command + ": cannot bind divert port " + (port + i) + ": "
                            + bind.cause().getMessage());
                    if (debug) {
                        bind.cause().printStackTrace(err);
                    }
                    for (DivertChannel channel : bound) {
                        channel.close().syncUninterruptibly();
                    }
                    return 1;
                }
                bound.add((DivertChannel) bind.channel());
            }
            // When one closes (its pipeline closed it, or it failed), so do the others.
            for (DivertChannel channel : bound) {
                channel.closeFuture().addListener(f -> bound.forEach(DivertChannel::close));
            }
            Thread hook = new Thread(
                    () -> {
                        for (DivertChannel channel : bound) {
                            channel.close().syncUninterruptibly();
                        }
                        try {
                            reported.await(2, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "divert-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            started.accept(List.copyOf(bound));
            for (DivertChannel channel : bound) {
                channel.closeFuture().syncUninterruptibly();
            }
            out.println(totals.get());
            out.flush();
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook is running.
            }
            return 0;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
