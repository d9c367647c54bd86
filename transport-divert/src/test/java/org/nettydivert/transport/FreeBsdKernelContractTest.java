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
 * The divert contract on a real FreeBSD 14/15 kernel, this JVM in a VNET jail of its own ({@link
 * RealBsd}), through {@link RealBsdKernel}. Runs only as {@value RealBsd#COMMAND}, as root.
 */
@ExtendWith(BsdContractReport.class)
class FreeBsdKernelContractTest extends DivertContract {
    @BeforeAll
    static void onFreeBsd() {
        RealBsd.assume("FreeBSD", true);
    }

    @Override
    ContractKernel newKernel() throws Exception {
        RealBsd.freeBsd();
        return RealBsdKernel.freeBsd(RealBsd.runner());
    }

    /** A divert socket has no verdicts: a packet sent twice leaves twice. */
    @Override
    boolean secondWriteMayPass() {
        return true;
    }
}
