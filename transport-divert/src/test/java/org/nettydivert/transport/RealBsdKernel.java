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
package org.nettydivert.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nettydivert.bsdjail.CommandRunner;
import org.nettydivert.bsdjail.FreeBsdCommands;
import org.nettydivert.bsdjail.IpfwMatch;
import org.nettydivert.bsdjail.OpenBsdCommands;
import org.nettydivert.bsdjail.Plan;

/**
 * The divert contract's kernel on a real BSD: UDP to {@link DivertContract#PORT} on 127.0.0.1 goes
 * through a rule of the test's own to the channel, and what the channel passes on is what a UDP
 * socket bound to the port receives. FreeBSD: an ipfw rule in this JVM's VNET jail ({@link
 * RealBsd#freeBsd()}), {@code ipfw -q add 100 divert 7 udp from any to any 9999 out not diverted},
 * deleted at close. OpenBSD: a pf anchor {@code nettydivert/contract} with {@code pass out quick on
 * lo0 inet proto udp to 127.0.0.1 port 9999 divert-packet port 7}, flushed at close.
 */
final class RealBsdKernel implements ContractKernel {
    /** The ipfw rule number, which a FreeBSD read address carries as its tag. */
    static final int RULE = 100;

    static final String ANCHOR = OpenBsdCommands.ANCHOR_ROOT + "/contract";

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final String system;
    private final Plan.Applied rules;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
    private final DatagramSocket receiver;
    private final DatagramSocket sender;

    private RealBsdKernel(String system, Plan.Applied rules) throws Exception {
        this.system = system;
        this.rules = rules;
        DatagramSocket r = null;
        try {
            r = new DatagramSocket(new InetSocketAddress(LOOPBACK, DivertContract.PORT));
            receiver = r;
            sender = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        } catch (Exception | Error e) {
            if (r != null) {
                r.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            rules.undo();
            throw e;
        }
    }

    /** The ipfw rules of the contract (FreeBSD), each with its undo. */
    static Plan freeBsdRules() {
        return new Plan()
                .step(
                        FreeBsdCommands.ipfwDivert(
                                RULE,
                                DivertContract.QUEUE,
                                new IpfwMatch("udp", 0, DivertContract.PORT, "out", List.of())),
                        FreeBsdCommands.ipfwDelete(RULE));
    }

    /** The pf anchor's text (OpenBSD). */
    static String openBsdAnchor() {
        return OpenBsdCommands.anchorText(List.of(OpenBsdCommands.divertRule(
                "out", "lo0", "inet", "udp", "127.0.0.1", DivertContract.PORT, DivertContract.QUEUE)));
    }

    /** The pf commands of the contract (OpenBSD): load {@code file} into the anchor, flushed at close. */
    static Plan openBsdRules(String file) {
        return new Plan().step(OpenBsdCommands.anchorLoad(ANCHOR, file), OpenBsdCommands.anchorFlush(ANCHOR));
    }

    /** The FreeBSD kernel, this JVM in its jail, the contract's rule loaded through {@code runner}. */
    static RealBsdKernel freeBsd(CommandRunner runner) throws Exception {
        return new RealBsdKernel(
                "the FreeBSD kernel, in " + RealBsd.freeBsd().name(),
                freeBsdRules().apply(runner));
    }

    /** The OpenBSD kernel, the contract's anchor loaded through {@code runner}. */
    static RealBsdKernel openBsd(CommandRunner runner) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("nettydivert-contract", ".pf");
        try {
            java.nio.file.Files.writeString(file, openBsdAnchor());
            return new RealBsdKernel(
                    "the OpenBSD kernel, pf anchor " + ANCHOR,
                    openBsdRules(file.toString()).apply(runner));
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Override
    public DivertChannel bind(ChannelHandler handler) throws Exception {
        return bind(handler, new Bootstrap());
    }

    /** Binds with the options of {@code bootstrap}. */
    DivertChannel bind(ChannelHandler handler, Bootstrap bootstrap) throws Exception {
        return (DivertChannel) bootstrap
                .group(group)
                .channel(DivertChannel.class)
                .handler(handler)
                .bind(DivertAddress.port(DivertContract.QUEUE))
                .sync()
                .channel();
    }

    @Override
    public void divert(byte[] payload) throws Exception {
        sender.send(new DatagramPacket(payload, payload.length, LOOPBACK, DivertContract.PORT));
    }

    /** Sends from this host's UDP socket to {@code to}. */
    void send(byte[] payload, InetSocketAddress to) throws Exception {
        sender.send(new DatagramPacket(payload, payload.length, to));
    }

    @Override
    public List<byte[]> passed(int expected) throws Exception {
        return Datagrams.passed(receiver, expected);
    }

    @Override
    public long waitingForVerdicts() {
        return 0; // a divert socket has no verdicts
    }

    @Override
    public void close() {
        try {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            receiver.close();
            sender.close();
        } finally {
            List<String> failures = rules.undo();
            if (!failures.isEmpty()) {
                throw new IllegalStateException("removing the contract's rules: " + failures);
            }
        }
    }

    @Override
    public String toString() {
        return system;
    }
}
