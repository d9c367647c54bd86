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

import java.util.List;

/**
 * The shape of a test's isolated network. Every host is a network namespace (Linux) or a VNET jail
 * (FreeBSD) of its own; the {@linkplain #divertingHost() diverting host} is the one whose rules
 * {@link TestNetwork#divert} installs and whose event loop {@link TestNetwork#bind} uses.
 */
public enum Topology {
    /** One host with only its loopback interface ({@code lo} up): 127.0.0.1 and ::1. */
    SINGLE(List.of("host"), "host"),
    /**
     * Two hosts, {@code a} (10.99.0.1, fd99::1) and {@code b} (10.99.0.2, fd99::2), on one link
     * (a veth pair; an epair on FreeBSD). {@code a} diverts.
     */
    PAIR(List.of("a", "b"), "a"),
    /**
     * {@code client} (10.99.1.2, fd99:1::2) – {@code router} (10.99.1.1 and 10.99.2.1) – {@code
     * server} (10.99.2.2, fd99:2::2), each side a link of its own, the router forwarding between
     * them and the ends routing through it. The router diverts: use {@link
     * DivertRule#forwarded()} to see the traffic between the ends.
     */
    ROUTED(List.of("client", "router", "server"), "router");

    private final List<String> hostNames;
    private final String divertingHost;

    Topology(List<String> hostNames, String divertingHost) {
        this.hostNames = hostNames;
        this.divertingHost = divertingHost;
    }

    /** The hosts' names, in the order of {@link TestNetwork#hosts()}. */
    public List<String> hostNames() {
        return hostNames;
    }

    /** The name of the host that diverts. */
    public String divertingHost() {
        return divertingHost;
    }
}
