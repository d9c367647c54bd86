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
package org.nettydivert.testkit.freebsd;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import org.nettydivert.bsdjail.CommandRunner;
import org.nettydivert.bsdjail.FreeBsdCommands;
import org.nettydivert.bsdjail.Plan;
import org.nettydivert.testkit.CommandResult;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.HttpFileServer;
import org.nettydivert.testkit.TcpEchoServer;
import org.nettydivert.testkit.UdpEndpoint;
import org.nettydivert.testkit.platform.HostLoops;
import org.nettydivert.testkit.platform.JvmSockets;
import org.nettydivert.transport.DivertChannel;

/**
 * A host of a FreeBSD network. The diverting host is the session jail this JVM lives in, so all of
 * it works: every thread of the JVM is in its stack, sockets included. Any other host is a child
 * jail: it runs commands ({@code jexec}), and nothing else, since no thread of this JVM can be in
 * two network stacks (jail membership is per process, and for good).
 */
final class FreeBsdHost implements Host {
    /** ipfw rule numbers of the kit's rules start here, below the session's closing allow (65000). */
    static final int FIRST_RULE = 1000;

    private final String name;
    private final String jail;
    private final boolean inThisJvm;
    private final InetAddress ipv4;
    private final InetAddress ipv6;
    private final CommandRunner runner;
    private final JvmSockets sockets;
    private final HostLoops loops;
    private final List<Plan.Applied> rules = new ArrayList<>();
    private int nextRule = FIRST_RULE;

    /**
     * @param jail the child jail's name, or null for the session jail this JVM is in
     */
    FreeBsdHost(String name, String jail, InetAddress ipv4, InetAddress ipv6, CommandRunner runner) {
        this.name = name;
        this.jail = jail;
        this.inThisJvm = jail == null;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.runner = runner;
        this.sockets = new JvmSockets(this::call, name);
        // Used only once bind() has checked that this is the JVM's own jail.
        this.loops = new HostLoops(new DefaultThreadFactory("divert-" + name, true));
    }

    private void mustBeHere(String what) {
        if (!inThisJvm) {
            throw new UnsupportedOperationException("on FreeBSD, " + what + " works on the diverting host only: host "
                    + name + " is the jail " + jail + ", and this JVM lives in another jail's network stack for good;"
                    + " use run(...) for host " + name);
        }
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

    /** The command run for {@code argv} on this host. */
    List<String> command(List<String> argv) {
        return inThisJvm ? argv : FreeBsdCommands.jexec(jail, argv);
    }

    @Override
    public CommandResult run(String... argv) {
        CommandRunner.Result r = runner.run(command(List.of(argv)));
        return new CommandResult(r.argv(), r.exitCode(), r.out(), r.err());
    }

    @Override
    public <T> T call(Callable<T> task) throws Exception {
        mustBeHere("call(...)");
        return task.call();
    }

    @Override
    public ThreadFactory threadFactory(String prefix) {
        mustBeHere("threadFactory(...)");
        return new DefaultThreadFactory(prefix + "-" + name, true);
    }

    @Override
    public EventLoopGroup eventLoopGroup(int threads, IoHandlerFactory factory) {
        mustBeHere("eventLoopGroup(...)");
        return loops.eventLoopGroup(threads, threadFactory("loop"), factory);
    }

    @Override
    public synchronized void divert(DivertRule... newRules) {
        mustBeHere("divert(...)");
        for (DivertRule rule : newRules) {
            List<List<String>> argvs = IpfwRules.render(rule, nextRule);
            Plan plan = new Plan();
            for (List<String> argv : argvs) {
                plan.step(argv, FreeBsdCommands.ipfwDelete(Integer.parseInt(argv.get(3))));
            }
            try {
                rules.add(plan.apply(runner));
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot install " + rule + " in " + name + ": " + e.getMessage(), e);
            }
            nextRule += 10;
        }
    }

    @Override
    public DivertChannel bind(int port, ChannelHandler handler) throws InterruptedException {
        return bind(port, handler, new Bootstrap());
    }

    @Override
    public DivertChannel bind(int port, ChannelHandler handler, Bootstrap bootstrap) throws InterruptedException {
        mustBeHere("bind(...)");
        return loops.bind(port, handler, bootstrap);
    }

    /** 0: a divert socket has no verdicts; a packet not written back is simply gone. */
    @Override
    public long waitingForVerdict(int port) {
        return 0;
    }

    @Override
    public UdpEndpoint udp(int port) throws Exception {
        mustBeHere("udp(...)");
        return sockets.udp(port);
    }

    @Override
    public TcpEchoServer tcpEcho(int port) throws Exception {
        mustBeHere("tcpEcho(...)");
        return sockets.tcpEcho(port);
    }

    @Override
    public byte[] tcpExchange(InetSocketAddress server, byte[] data) throws Exception {
        mustBeHere("tcpExchange(...)");
        return sockets.tcpExchange(server, data);
    }

    @Override
    public HttpFileServer httpServe(int port, byte[] body) throws Exception {
        mustBeHere("httpServe(...)");
        return sockets.httpServe(port, body, ipv4);
    }

    @Override
    public byte[] httpGet(URI uri) throws Exception {
        mustBeHere("httpGet(...)");
        return sockets.httpGet(uri);
    }

    /**
     * Closes the channels, the test's groups, the divert loop, sockets and servers, then deletes the
     * test's ipfw rules (the session's closing allow stays).
     *
     * @return one line per thing that could not be undone
     */
    List<String> closeEverything() {
        List<Plan.Applied> toUndo;
        synchronized (this) {
            toUndo = new ArrayList<>(rules);
            rules.clear();
        }
        loops.close();
        List<String> failures = new ArrayList<>();
        RuntimeException socketFailure = sockets.closeAll();
        if (socketFailure != null) {
            failures.add(String.valueOf(socketFailure.getMessage()));
        }
        for (int i = toUndo.size() - 1; i >= 0; i--) {
            failures.addAll(toUndo.get(i).undo());
        }
        return failures;
    }

    @Override
    public String toString() {
        return "host " + name + " (" + (inThisJvm ? "this JVM's jail" : "jail " + jail) + ")";
    }
}
