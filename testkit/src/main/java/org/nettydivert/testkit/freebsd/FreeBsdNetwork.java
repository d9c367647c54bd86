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

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.nettydivert.bsdjail.CommandRunner;
import org.nettydivert.bsdjail.FreeBsdCommands;
import org.nettydivert.bsdjail.Plan;
import org.nettydivert.bsdjail.VnetSession;
import org.nettydivert.testkit.Topology;
import org.nettydivert.testkit.platform.HostsNetwork;

/**
 * A {@link Topology} on FreeBSD: the diverting host is this JVM's session jail, the others child
 * jails of it across epairs ({@link FreeBsdCommands#childOverEpair}); the router forwards by its
 * own stack's sysctls. Made by one {@link Plan}, removed by undoing it in reverse (and, should the
 * JVM die first, by the session's reaper, which removes the session jail with its children).
 */
final class FreeBsdNetwork extends HostsNetwork<FreeBsdHost> {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final VnetSession session;
    private final CommandRunner runner;
    private final List<String> children = new ArrayList<>();
    private final List<Integer> units = new ArrayList<>();
    private Plan.Applied applied;

    private FreeBsdNetwork(Topology topology, VnetSession session) {
        super(topology);
        this.session = session;
        this.runner = session.runner();
    }

    /** The plan of {@code topology}, its child jails named {@code prefix + host} over {@code units}. */
    static Plan plan(Topology topology, String prefix, List<Integer> units) {
        Plan plan = new Plan();
        switch (topology) {
            case SINGLE -> {
                // The session jail's own loopback, up since the session began.
            }
            case PAIR -> append(
                    plan,
                    FreeBsdCommands.childOverEpair(
                            prefix + "b", units.get(0), "10.99.0.1/24", "fd99::1/64", "10.99.0.2/24", "fd99::2/64"));
            case ROUTED -> {
                String client = prefix + "client";
                String server = prefix + "server";
                append(
                        plan,
                        FreeBsdCommands.childOverEpair(
                                client, units.get(0), "10.99.1.1/24", "fd99:1::1/64", "10.99.1.2/24", "fd99:1::2/64"));
                append(
                        plan,
                        FreeBsdCommands.childOverEpair(
                                server, units.get(1), "10.99.2.1/24", "fd99:2::1/64", "10.99.2.2/24", "fd99:2::2/64"));
                plan.step(FreeBsdCommands.jexec(client, FreeBsdCommands.defaultRoute("10.99.1.1")))
                        .step(FreeBsdCommands.jexec(client, FreeBsdCommands.defaultRoute("fd99:1::1")))
                        .step(FreeBsdCommands.jexec(server, FreeBsdCommands.defaultRoute("10.99.2.1")))
                        .step(FreeBsdCommands.jexec(server, FreeBsdCommands.defaultRoute("fd99:2::1")))
                        // Per network stack: this turns forwarding on in the router's (the session's) only.
                        .step(
                                FreeBsdCommands.sysctl("net.inet.ip.forwarding", "1"),
                                FreeBsdCommands.sysctl("net.inet.ip.forwarding", "0"))
                        .step(
                                FreeBsdCommands.sysctl("net.inet6.ip6.forwarding", "1"),
                                FreeBsdCommands.sysctl("net.inet6.ip6.forwarding", "0"));
            }
        }
        return plan;
    }

    private static void append(Plan plan, Plan more) {
        for (Plan.Step s : more.steps()) {
            plan.step(s.run(), s.undo());
        }
    }

    /** How many epairs {@code topology} needs. */
    static int epairs(Topology topology) {
        return switch (topology) {
            case SINGLE -> 0;
            case PAIR -> 1;
            case ROUTED -> 2;
        };
    }

    static FreeBsdNetwork create(Topology topology, VnetSession session) {
        FreeBsdNetwork network = new FreeBsdNetwork(topology, session);
        String prefix = "t" + SEQUENCE.incrementAndGet() + "-";
        try {
            for (int i = 0; i < epairs(topology); i++) {
                network.units.add(session.takeEpairUnit());
            }
            network.applied = plan(topology, prefix, network.units).apply(network.runner);
            switch (topology) {
                case SINGLE -> network.add("host", null, "127.0.0.1", "::1");
                case PAIR -> {
                    network.add("a", null, "10.99.0.1", "fd99::1");
                    network.add("b", prefix + "b", "10.99.0.2", "fd99::2");
                }
                case ROUTED -> {
                    network.add("client", prefix + "client", "10.99.1.2", "fd99:1::2");
                    network.add("router", null, "10.99.1.1", "fd99:1::1");
                    network.add("server", prefix + "server", "10.99.2.2", "fd99:2::2");
                }
            }
            return network;
        } catch (RuntimeException | Error e) {
            // The plan undid its own steps; the units go back.
            network.releaseUnits();
            throw e;
        }
    }

    private void add(String name, String jail, String ipv4, String ipv6) {
        try {
            hosts.put(
                    name,
                    new FreeBsdHost(name, jail, InetAddress.getByName(ipv4), InetAddress.getByName(ipv6), runner));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        if (jail != null) {
            children.add(jail);
        }
    }

    private void releaseUnits() {
        for (int unit : units) {
            session.releaseEpairUnit(unit);
        }
        units.clear();
    }

    @Override
    public String platform() {
        return "freebsd";
    }

    /** Always empty: divert sockets have no verdicts to wait for. */
    @Override
    public List<String> unsettled(long settleMillis) {
        return List.of();
    }

    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        for (FreeBsdHost host : hosts.values()) {
            failures.addAll(host.closeEverything());
        }
        if (applied != null) {
            failures.addAll(applied.undo());
        }
        releaseUnits();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("removing " + this + ": " + String.join("; ", failures));
        }
    }

    @Override
    public List<String> survivors() {
        if (children.isEmpty()) {
            return List.of();
        }
        CommandRunner.Result listed = runner.run(FreeBsdCommands.jailNames());
        List<String> left = new ArrayList<>();
        for (String line : listed.out().split("\n")) {
            if (children.contains(line.strip())) {
                left.add(line.strip());
            }
        }
        return left;
    }

    @Override
    public String toString() {
        return "freebsd " + topology() + " in " + session.name() + " " + hosts.values();
    }
}
