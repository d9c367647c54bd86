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
package org.nettydivert.testkit;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import org.nettydivert.transport.DivertChannel;

/**
 * One host of a {@link TestNetwork}: a network namespace (Linux) or a VNET jail (FreeBSD). Its
 * sockets, rules and event loops live in its own network stack, never in the machine's.
 *
 * <p>Everything a host makes (event loops, channels, sockets, servers) is closed when the test
 * ends; a test may close them earlier.
 */
public interface Host {
    /** The host's name in its {@link Topology} ({@code host}, {@code a}, {@code router}, ...). */
    String name();

    /** The host's IPv4 address on its first link (127.0.0.1 in {@link Topology#SINGLE}). */
    InetAddress ipv4();

    /** The host's IPv6 address on its first link (::1 in {@link Topology#SINGLE}). */
    InetAddress ipv6();

    /**
     * Runs a program inside the host and waits for it (at most 30 seconds). A program named
     * without a slash is looked up on {@code PATH} and in the usual {@code sbin} and {@code bin}
     * directories, where {@code ip} and {@code iptables} live.
     *
     * @return what it did; {@link CommandResult#checked()} turns a failure into an exception
     */
    CommandResult run(String... argv);

    /**
     * Runs {@code task} on a thread inside the host and returns its result: sockets it opens live
     * in the host, and stay there when used from other threads.
     *
     * @throws Exception whatever {@code task} throws
     */
    <T> T call(Callable<T> task) throws Exception;

    /** A thread factory whose threads live inside the host (for Netty event loop groups). */
    ThreadFactory threadFactory(String prefix);

    /** An event loop group of {@code threads} threads inside the host, shut down at the end of the test. */
    EventLoopGroup eventLoopGroup(int threads, IoHandlerFactory factory);

    /** Installs {@code rules} in the host's packet filter, in order, after any installed before. */
    void divert(DivertRule... rules);

    /**
     * Binds a {@link DivertChannel} with {@code handler} to divert port {@code port}, on the host's
     * divert event loop (one thread, made at first use).
     */
    DivertChannel bind(int port, ChannelHandler handler) throws InterruptedException;

    /**
     * Binds a {@link DivertChannel} made by {@code bootstrap} (options, attributes) with {@code
     * handler} to {@code port}; on the bootstrap's group when it has one (make it with {@link
     * #eventLoopGroup} and {@code DivertIoHandler.newFactory()}), else on the host's divert loop.
     */
    DivertChannel bind(int port, ChannelHandler handler, Bootstrap bootstrap) throws InterruptedException;

    /**
     * How many packets of divert port {@code port} the kernel holds waiting for a verdict (0 on
     * systems without verdicts, or when nothing is bound).
     */
    long waitingForVerdict(int port);

    /** A UDP socket bound inside the host to {@code port} (0: any) on every address. */
    UdpEndpoint udp(int port) throws Exception;

    /** A TCP server inside the host on {@code port} that sends back whatever it reads. */
    TcpEchoServer tcpEcho(int port) throws Exception;

    /**
     * Connects from this host to {@code server}, sends {@code data}, ends its side, and returns
     * every byte the server sent before closing (a {@link #tcpEcho} server sends {@code data} back).
     */
    byte[] tcpExchange(InetSocketAddress server, byte[] data) throws Exception;

    /** An HTTP/1.1 server inside the host on {@code port} answering every GET with {@code body}. */
    HttpFileServer httpServe(int port, byte[] body) throws Exception;

    /** Downloads {@code uri} from this host; fails unless the answer is 200 OK. */
    byte[] httpGet(URI uri) throws Exception;
}
