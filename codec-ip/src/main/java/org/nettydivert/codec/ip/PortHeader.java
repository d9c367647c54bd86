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
package org.nettydivert.codec.ip;

import io.netty.buffer.ByteBuf;

/**
 * A transport header that starts with a source and a destination port: TCP and UDP.
 *
 * @param <H> the concrete header, so that setters chain
 */
public abstract class PortHeader<H extends PortHeader<H>> extends TransportHeader {
    static final int SOURCE_PORT_OFFSET = 0;
    static final int DESTINATION_PORT_OFFSET = 2;

    PortHeader(int checksumFieldOffset, int minLength) {
        super(checksumFieldOffset, minLength);
    }

    abstract H self();

    /** Points this view at the header that starts at absolute index {@code offset} of {@code buf}. */
    public final H wrap(ByteBuf buf, int offset) {
        doWrap(buf, offset);
        return self();
    }

    /** The source port. */
    public final int sourcePort() {
        return buf.getUnsignedShort(offset + SOURCE_PORT_OFFSET);
    }

    /** The destination port. */
    public final int destinationPort() {
        return buf.getUnsignedShort(offset + DESTINATION_PORT_OFFSET);
    }

    /** Sets the source port; the checksum is not updated. */
    public final H setSourcePort(int port) {
        buf.setShort(offset + SOURCE_PORT_OFFSET, port);
        return self();
    }

    /** Sets the destination port; the checksum is not updated. */
    public final H setDestinationPort(int port) {
        buf.setShort(offset + DESTINATION_PORT_OFFSET, port);
        return self();
    }

    /** Sets the source port, updating the checksum incrementally. */
    public final H setSourcePortUpdatingChecksum(int port) {
        setWordUpdatingChecksum(SOURCE_PORT_OFFSET, port);
        return self();
    }

    /** Sets the destination port, updating the checksum incrementally. */
    public final H setDestinationPortUpdatingChecksum(int port) {
        setWordUpdatingChecksum(DESTINATION_PORT_OFFSET, port);
        return self();
    }
}
