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

import io.netty.channel.ChannelId;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link DivertChannel}'s id: the process id, a random number drawn once per process and a
 * sequence number, which is unique enough for logs and channel groups, without the hardware
 * address that Netty's {@code DefaultChannelId} looks for (and warns about when there is none).
 */
final class DivertChannelId implements ChannelId {
    private static final long serialVersionUID = 1L;
    private static final long PROCESS = ProcessHandle.current().pid();
    private static final int RANDOM = ThreadLocalRandom.current().nextInt();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    // Instance fields, so that an id keeps them when it is serialized to another process.
    private final long process = PROCESS;
    private final int random = RANDOM;
    private final long sequence;

    private DivertChannelId(long sequence) {
        this.sequence = sequence;
    }

    static DivertChannelId next() {
        return new DivertChannelId(SEQUENCE.incrementAndGet());
    }

    @Override
    public String asShortText() {
        // Eight hex digits, as Netty's own ids: channels print as "[id: 0x0000002a, ...]".
        return String.format("%08x", (int) sequence);
    }

    @Override
    public String asLongText() {
        return String.format("divert-%d-%08x-%d", process, random, sequence);
    }

    @Override
    public int compareTo(ChannelId other) {
        return asLongText().compareTo(other.asLongText());
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof DivertChannelId)) {
            return false;
        }
        DivertChannelId id = (DivertChannelId) other;
        return id.sequence == sequence && id.process == process && id.random == random;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequence);
    }

    @Override
    public String toString() {
        return asShortText();
    }
}
