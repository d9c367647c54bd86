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
package org.nettydivert.testkit.linux;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import org.nettydivert.testkit.CommandResult;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.HttpFileServer;
import org.nettydivert.testkit.TcpEchoServer;
import org.nettydivert.testkit.UdpEndpoint;
import org.nettydivert.testkit.platform.HostLoops;
import org.nettydivert.testkit.platform.JvmSockets;
import org.nettydivert.transport.DivertChannel;

/** A {@link Host} that is a network namespace of its own. */
final class LinuxHost implements Host {
    private final String name;
    final NetworkNamespace ns;
    private final InetAddress ipv4;
    private final InetAddress ipv6;
    private final FilterRules filter;
    private final JvmSockets sockets;
    private final HostLoops loops;
    private int rules;

    LinuxHost(String name, NetworkNamespace ns, InetAddress ipv4, InetAddress ipv6, FilterRules filter) {
        this.name = name;
        this.ns = ns;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.filter = filter;
        this.sockets = new JvmSockets(ns::call, name);
        this.loops = new HostLoops(ns.threadFactory("divert-" + name));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetAddress ipv4() {
        return ipv4;
    }

    @Override
    public InetAddress ipv6() {
        return ipv6;
    }

    @Override
    public CommandResult run(String... argv) {
        return ns.run(argv);
    }

    @Override
    public <T> T call(Callable<T> task) throws Exception {
        return ns.call(task);
    }

    @Override
    public ThreadFactory threadFactory(String prefix) {
        return ns.threadFactory(prefix);
    }

    @Override
    public EventLoopGroup eventLoopGroup(int threads, IoHandlerFactory factory) {
        return loops.eventLoopGroup(threads, ns.threadFactory("loop-" + name), factory);
    }

    @Override
    public synchronized void divert(DivertRule... newRules) {
        for (DivertRule rule : newRules) {
            rule.divertPort(); // a rule without a port fails here, naming itself
            for (List<String> argv : filter.render(rule, rules == 0)) {
                CommandResult result = ns.run(argv.toArray(new String[0]));
                if (!result.ok()) {
                    throw new IllegalStateException(
                            "cannot install " + rule + " in " + name + ": " + result.describe());
                }
            }
            rules++;
        }
    }

    @Override
    public DivertChannel bind(int port, ChannelHandler handler) throws InterruptedException {
        return bind(port, handler, new Bootstrap());
    }

    @Override
    public DivertChannel bind(int port, ChannelHandler handler, Bootstrap bootstrap) throws InterruptedException {
        return loops.bind(port, handler, bootstrap);
    }

    @Override
    public long waitingForVerdict(int port) {
        QueueStats stats = ns.queueStats(port);
        return stats == null ? 0 : stats.waiting();
    }

    /** Every queue of this namespace with packets waiting, one line each. */
    List<String> unsettled() {
        List<String> lines = new ArrayList<>();
        for (QueueStats stats : ns.allQueueStats()) {
            if (stats.waiting() > 0) {
                lines.add(name + ": queue " + stats.queueNumber() + " holds " + stats.waiting()
                        + " packets without a verdict");
            }
        }
        return lines;
    }

    @Override
    public UdpEndpoint udp(int port) throws Exception {
        return sockets.udp(port);
    }

    @Override
    public TcpEchoServer tcpEcho(int port) throws Exception {
        return sockets.tcpEcho(port);
    }

    @Override
    public byte[] tcpExchange(InetSocketAddress server, byte[] data) throws Exception {
        return sockets.tcpExchange(server, data);
    }

    @Override
    public HttpFileServer httpServe(int port, byte[] body) throws Exception {
        return sockets.httpServe(port, body, ipv4);
    }

    @Override
    public byte[] httpGet(URI uri) throws Exception {
        return sockets.httpGet(uri);
    }

    /**
     * Closes the channels, then the test's own groups (whose sockets the divert loop may still be
     * passing packets for), then the divert loop, then sockets and servers. The namespace goes
     * with the network.
     */
    void closeEverything() {
        loops.close();
        RuntimeException failure = sockets.closeAll();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "host " + name + " (" + ns.name() + ")";
    }
}
