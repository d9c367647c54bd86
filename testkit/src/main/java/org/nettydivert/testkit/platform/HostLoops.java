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
package org.nettydivert.testkit.platform;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertIoHandler;

/**
 * The event loops and divert channels of a host whose threads this JVM can place inside it, and
 * their orderly end: what every platform's host does the same way once it has a thread factory.
 */
public final class HostLoops {
    private final ThreadFactory divertThreads;
    private final List<DivertChannel> channels = new ArrayList<>();
    private final List<EventLoopGroup> groups = new ArrayList<>();
    private EventLoopGroup divertGroup;

    /** Loops whose divert loop runs on a thread of {@code divertThreads}. */
    public HostLoops(ThreadFactory divertThreads) {
        this.divertThreads = divertThreads;
    }

    /** A group of the test's own, stopped at the end. */
    public synchronized EventLoopGroup eventLoopGroup(int threads, ThreadFactory factory, IoHandlerFactory handlers) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, factory, handlers);
        groups.add(group);
        return group;
    }

    /** Binds a channel on the bootstrap's group, or on the host's divert loop when it has none. */
    public DivertChannel bind(int port, ChannelHandler handler, Bootstrap bootstrap) throws InterruptedException {
        if (bootstrap.config().group() == null) {
            bootstrap.group(divertGroup());
        }
        DivertChannel channel = (DivertChannel) bootstrap
                .channel(DivertChannel.class)
                .handler(handler)
                .bind(DivertAddress.port(port))
                .sync()
                .channel();
        synchronized (this) {
            channels.add(channel);
        }
        return channel;
    }

    private synchronized EventLoopGroup divertGroup() {
        if (divertGroup == null) {
            divertGroup = new MultiThreadIoEventLoopGroup(1, divertThreads, DivertIoHandler.newFactory());
        }
        return divertGroup;
    }

    /**
     * Closes the channels, then the test's own groups (whose sockets the divert loop may still be
     * passing packets for), then the divert loop.
     */
    public void close() {
        List<DivertChannel> toClose;
        List<EventLoopGroup> toStop;
        EventLoopGroup divert;
        synchronized (this) {
            toClose = new ArrayList<>(channels);
            toStop = new ArrayList<>(groups);
            divert = divertGroup;
            channels.clear();
            groups.clear();
            divertGroup = null;
        }
        for (DivertChannel channel : toClose) {
            channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        for (EventLoopGroup group : toStop) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
        }
        if (divert != null) {
            divert.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
        }
    }
}
