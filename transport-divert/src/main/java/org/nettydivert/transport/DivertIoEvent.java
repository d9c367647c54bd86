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

import io.netty.channel.IoEvent;
import org.nettydivert.transport.spi.Poller;

/** Readiness of a registered descriptor: a mix of {@link Poller#READABLE} and {@link Poller#WRITABLE}. */
final class DivertIoEvent implements IoEvent {
    private static final DivertIoEvent[] ALL = {
        new DivertIoEvent(0), new DivertIoEvent(1), new DivertIoEvent(2), new DivertIoEvent(3)
    };

    final int ready;

    private DivertIoEvent(int ready) {
        this.ready = ready;
    }

    static DivertIoEvent of(int ready) {
        return ALL[ready & 3];
    }

    boolean isReadable() {
        return (ready & Poller.READABLE) != 0;
    }

    boolean isWritable() {
        return (ready & Poller.WRITABLE) != 0;
    }
}
