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

import io.netty.channel.ChannelHandler;
import java.util.List;
import org.nettydivert.transport.DivertChannel;

/**
 * A test's isolated network, made by {@link IsolatedNetwork}: one or more {@link Host}s in the
 * chosen {@link Topology}. The shortcuts act on the {@linkplain Topology#divertingHost()
 * diverting host}.
 */
public interface TestNetwork {
    /** The network's shape. */
    Topology topology();

    /** The system that makes it: {@code linux}, {@code freebsd}. */
    String platform();

    /** The diverting host. */
    Host host();

    /**
     * The host called {@code name} in the topology.
     *
     * @throws IllegalArgumentException for a name the topology does not have
     */
    Host host(String name);

    /** Every host, in the topology's order. */
    List<Host> hosts();

    /** {@code host().divert(rules)}. */
    default void divert(DivertRule... rules) {
        host().divert(rules);
    }

    /** {@code host().bind(port, handler)}. */
    default DivertChannel bind(int port, ChannelHandler handler) throws InterruptedException {
        return host().bind(port, handler);
    }
}
