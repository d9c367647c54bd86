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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.Topology;

/**
 * A network's hosts by name, in the topology's order: the part of a {@link ManagedNetwork} that
 * is the same on every system.
 *
 * @param <H> the system's host type
 */
public abstract class HostsNetwork<H extends Host> implements ManagedNetwork {
    private final Topology topology;
    /** The hosts made so far, by name, in the order made. */
    protected final Map<String, H> hosts = new LinkedHashMap<>();

    /** A network of {@code topology} with no hosts yet. */
    protected HostsNetwork(Topology topology) {
        this.topology = topology;
    }

    @Override
    public final Topology topology() {
        return topology;
    }

    @Override
    public final Host host() {
        return host(topology.divertingHost());
    }

    @Override
    public final Host host(String name) {
        H host = hosts.get(name);
        if (host == null) {
            throw new IllegalArgumentException(topology + " has no host " + name + "; it has " + hosts.keySet());
        }
        return host;
    }

    @Override
    public final List<Host> hosts() {
        return List.copyOf(hosts.values());
    }
}
