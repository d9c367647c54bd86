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

import org.nettydivert.transport.bsd.BsdAbi;

/**
 * The divert contract for the OpenBSD backend on the fake BSD kernel ({@link FakeBsdContractKernel}): the
 * real socket, channel and event loop, the system calls answered by a fake.
 */
class OpenBsdFakeContractTest extends DivertContract {
    @Override
    ContractKernel newKernel() {
        return new FakeBsdContractKernel(BsdAbi.OPENBSD);
    }

    /** A divert socket has no verdicts: a packet sent twice leaves twice. */
    @Override
    boolean secondWriteMayPass() {
        return true;
    }
}
