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

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The divert contract on a real OpenBSD 7.8 kernel through a pf anchor ({@link RealBsdKernel}). Runs
 * only as {@value RealBsd#COMMAND}, as root, with pf enabled, {@code anchor "nettydivert/*"} in the
 * main ruleset and lo0 not skipped.
 */
@ExtendWith(BsdContractReport.class)
class OpenBsdKernelContractTest extends DivertContract {
    @BeforeAll
    static void onOpenBsd() {
        RealBsd.assume("OpenBSD", true);
    }

    @Override
    ContractKernel newKernel() throws Exception {
        return RealBsdKernel.openBsd(RealBsd.runner());
    }

    /** A divert socket has no verdicts: a packet sent twice leaves twice. */
    @Override
    boolean secondWriteMayPass() {
        return true;
    }
}
