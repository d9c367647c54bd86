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

/**
 * Builds {@link DivertStats} through its package-private constructor, for the binder's unit
 * tests: this test class shares the transport's package on the test class path, so the
 * transport need publish nothing for tests.
 */
public final class TestStats {
    private TestStats() {}

    /** Counters 1 to 12 in the constructor's order, each plus {@code base}. */
    public static DivertStats sequential(long base) {
        return new DivertStats(
                base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, base + 7, base + 8, base + 9, base + 10,
                base + 11, base + 12);
    }
}
