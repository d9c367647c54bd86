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

import java.util.List;
import org.nettydivert.testkit.TestNetwork;

/** A {@link TestNetwork} as the extension manages it: checked, then closed, then checked again. */
public interface ManagedNetwork extends TestNetwork, AutoCloseable {
    /**
     * Divert ports whose kernel still holds packets waiting for a verdict, once given {@code
     * settleMillis} to drain, one line each ("port 7: 3 packets wait for a verdict"). Empty when
     * every packet got one.
     */
    List<String> unsettled(long settleMillis);

    /** Closes the channels, stops the event loops and servers, and removes the hosts. */
    @Override
    void close();

    /** The hosts (namespaces, jails) still present after {@link #close()}, by name. */
    List<String> survivors();
}
