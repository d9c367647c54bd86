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

import io.netty.channel.IoOps;
import org.nettydivert.transport.spi.Poller;

/** What a registered descriptor wants to be told about: a mix of {@link Poller#READABLE} and {@link Poller#WRITABLE}. */
final class DivertIoOps implements IoOps {
    private static final DivertIoOps[] ALL = {
        new DivertIoOps(0), new DivertIoOps(1), new DivertIoOps(2), new DivertIoOps(3)
    };

    final int interest;

    private DivertIoOps(int interest) {
        this.interest = interest;
    }

    static DivertIoOps of(int interest) {
        return ALL[interest & 3];
    }
}
