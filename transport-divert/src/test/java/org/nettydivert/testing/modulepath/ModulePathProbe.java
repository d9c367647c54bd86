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
package org.nettydivert.testing.modulepath;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.TimeUnit;
import org.nettydivert.transport.Divert;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertIoHandler;

/**
 * Run by {@code ModulePathTest} in a JVM of its own, with the transport on the module path:
 * prints the module, what it exports, and, given a queue number, binds and closes a channel.
 */
public final class ModulePathProbe {
    private ModulePathProbe() {}

    public static void main(String[] args) throws Exception {
        Module module = DivertChannel.class.getModule();
        System.out.println("module " + module.getName());
        System.out.println("exports "
                + new java.util.TreeSet<>(module.getDescriptor().exports().stream()
                        .map(e -> e.source())
                        .toList()));
        System.out.println("available " + Divert.isAvailable());
        if (args.length == 0) {
            return;
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
        try {
            Channel channel = new Bootstrap()
                    .group(group)
                    .channel(DivertChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .bind(DivertAddress.port(Integer.parseInt(args[0])))
                    .sync()
                    .channel();
            System.out.println("bound " + channel.localAddress());
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
