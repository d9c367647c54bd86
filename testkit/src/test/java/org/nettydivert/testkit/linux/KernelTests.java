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

import org.junit.jupiter.api.Assumptions;

/** The skip of the Linux platform's own tests where namespaces cannot be made, in one line. */
final class KernelTests {
    private static final String WHY_NOT = LinuxPlatform.INSTANCE.whyUnavailable();

    private KernelTests() {}

    static void assumeAvailable() {
        Assumptions.assumeTrue(WHY_NOT.isEmpty(), WHY_NOT);
    }
}
