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
import org.nettydivert.testkit.Topology;

/**
 * What the kit needs of an operating system: whether it can make isolated networks here, making
 * one, and removing those a crashed earlier run left behind. One per system ({@link Platforms}).
 */
public interface Platform {
    /** {@code linux}, {@code freebsd}, {@code openbsd}. */
    String name();

    /** Why isolated networks cannot be made here, in one line with the fix, or "" when they can. */
    String whyUnavailable();

    /**
     * Makes a network of {@code topology}. On failure, whatever was made is removed before the
     * exception propagates.
     */
    ManagedNetwork create(Topology topology);

    /**
     * Removes the networks left behind by test processes that no longer run.
     *
     * @return the names of what was removed
     */
    List<String> sweep();
}
