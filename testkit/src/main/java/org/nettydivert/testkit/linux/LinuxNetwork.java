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

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.nettydivert.testkit.Topology;
import org.nettydivert.testkit.platform.HostsNetwork;

/**
 * A {@link Topology} made of network namespaces: one per host, veth pairs for the links. Links
 * are made with {@code ip -n A link add ... netns B}, so each veth is created inside a namespace
 * of ours and never appears in the machine's own.
 */
final class LinuxNetwork extends HostsNetwork<LinuxHost> {

    private LinuxNetwork(Topology topology) {
        super(topology);
    }

    static LinuxNetwork create(Topology topology, FilterRules filter) {
        LinuxNetwork network = new LinuxNetwork(topology);
        try {
            switch (topology) {
                case SINGLE -> network.add("host", "127.0.0.1", "::1", filter);
                case PAIR -> {
                    LinuxHost a = network.add("a", "10.99.0.1", "fd99::1", filter);
                    LinuxHost b = network.add("b", "10.99.0.2", "fd99::2", filter);
                    link(a, "eth0", "10.99.0.1/24", "fd99::1/64", b, "eth0", "10.99.0.2/24", "fd99::2/64");
                }
                case ROUTED -> {
                    LinuxHost client = network.add("client", "10.99.1.2", "fd99:1::2", filter);
                    LinuxHost router = network.add("router", "10.99.1.1", "fd99:1::1", filter);
                    LinuxHost server = network.add("server", "10.99.2.2", "fd99:2::2", filter);
                    link(
                            client,
                            "eth0",
                            "10.99.1.2/24",
                            "fd99:1::2/64",
                            router,
                            "eth0",
                            "10.99.1.1/24",
                            "fd99:1::1/64");
                    link(
                            router,
                            "eth1",
                            "10.99.2.1/24",
                            "fd99:2::1/64",
                            server,
                            "eth0",
                            "10.99.2.2/24",
                            "fd99:2::2/64");
                    route(client, "10.99.1.1", "fd99:1::1");
                    route(server, "10.99.2.1", "fd99:2::1");
                    // Forwarding is per namespace: this turns it on in the router's stack only.
                    router.ns.exec(
                            "sh",
                            "-c",
                            "echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/ipv6/conf/all/forwarding");
                }
            }
            return network;
        } catch (RuntimeException | Error e) {
            try {
                network.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private LinuxHost add(String name, String ipv4, String ipv6, FilterRules filter) {
        NetworkNamespace ns = NetworkNamespace.create();
        LinuxHost host;
        try {
            host = new LinuxHost(name, ns, InetAddress.getByName(ipv4), InetAddress.getByName(ipv6), filter);
        } catch (UnknownHostException e) {
            ns.close();
            throw new IllegalArgumentException(e);
        }
        hosts.put(name, host);
        return host;
    }

    private static void link(
            LinuxHost a, String aDev, String aV4, String aV6, LinuxHost b, String bDev, String bV4, String bV6) {
        String ip = NetworkNamespace.tool("ip");
        a.ns.exec(ip, "link", "add", aDev, "type", "veth", "peer", "name", bDev, "netns", b.ns.name());
        address(a, aDev, aV4, aV6);
        address(b, bDev, bV4, bV6);
    }

    private static void address(LinuxHost host, String dev, String v4, String v6) {
        String ip = NetworkNamespace.tool("ip");
        host.ns.exec(ip, "addr", "add", v4, "dev", dev);
        // nodad: the address is usable at once instead of after duplicate address detection.
        host.ns.exec(ip, "-6", "addr", "add", v6, "dev", dev, "nodad");
        host.ns.exec(ip, "link", "set", dev, "up");
    }

    private static void route(LinuxHost host, String gateway4, String gateway6) {
        String ip = NetworkNamespace.tool("ip");
        host.ns.exec(ip, "route", "add", "default", "via", gateway4);
        host.ns.exec(ip, "-6", "route", "add", "default", "via", gateway6);
    }

    @Override
    public String platform() {
        return "linux";
    }

    @Override
    public List<String> unsettled(long settleMillis) {
        long deadline = System.nanoTime() + settleMillis * 1_000_000L;
        while (true) {
            List<String> lines = new ArrayList<>();
            for (LinuxHost host : hosts.values()) {
                lines.addAll(host.unsettled());
            }
            if (lines.isEmpty() || System.nanoTime() >= deadline) {
                return lines;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return lines;
            }
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (LinuxHost host : hosts.values()) {
            try {
                host.closeEverything();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        // Namespaces last: threads of the loops above keep them alive until they stop.
        for (LinuxHost host : hosts.values()) {
            try {
                host.ns.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    @Override
    public List<String> survivors() {
        List<String> left = new ArrayList<>();
        for (LinuxHost host : hosts.values()) {
            if (Files.exists(NetworkNamespace.NETNS_DIR.resolve(host.ns.name()))) {
                left.add(host.ns.name());
            }
        }
        return left;
    }

    @Override
    public String toString() {
        return "linux " + topology() + " " + hosts.values();
    }
}
