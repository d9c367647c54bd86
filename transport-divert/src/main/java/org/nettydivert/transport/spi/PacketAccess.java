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
package org.nettydivert.transport.spi;

import io.netty.buffer.ByteBuf;
import org.nettydivert.transport.DivertPacket;
import org.nettydivert.transport.PacketMetadata;

/**
 * What a backend may do with a {@link DivertPacket} beyond its public API: make one whose address
 * waits in a reused {@link ReadAddress}, and, writing it back, read that instead of making the
 * {@code DivertAddress}. {@code DivertPacket} installs the implementation when its class is
 * initialized; the package is not exported.
 */
public final class PacketAccess {
    /** Implemented by {@link DivertPacket}. */
    public interface Hook {
        /** As {@link PacketAccess#readPacket}. */
        DivertPacket readPacket(ByteBuf content, ReadAddress address, int truncatedFrom, PacketMetadata metadata);

        /** As {@link PacketAccess#readAddress}. */
        ReadAddress readAddress(DivertPacket packet);
    }

    private static volatile Hook hook;

    private PacketAccess() {}

    /** Called once, by {@link DivertPacket}'s static initializer. */
    public static void install(Hook implementation) {
        if (hook != null) {
            throw new IllegalStateException("installed already");
        }
        hook = implementation;
    }

    /**
     * A read packet whose address is {@code address}'s fields, made into a {@code DivertAddress}
     * only when asked for; {@code address} must stay as it is until the content is released.
     */
    public static DivertPacket readPacket(
            ByteBuf content, ReadAddress address, int truncatedFrom, PacketMetadata metadata) {
        return hook().readPacket(content, address, truncatedFrom, metadata);
    }

    /**
     * The fields of {@code packet}'s read address if its {@code DivertAddress} was never made (it
     * is then the address the packet was read with: accept, mark as read, nothing else), else null.
     */
    public static ReadAddress readAddress(DivertPacket packet) {
        return hook().readAddress(packet);
    }

    private static Hook hook() {
        Hook h = hook;
        if (h == null) {
            try {
                Class.forName(DivertPacket.class.getName(), true, DivertPacket.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            h = hook;
        }
        return h;
    }
}
