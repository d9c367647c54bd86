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

import java.net.InetAddress;
import org.nettydivert.transport.DivertAddress;

/**
 * The read address of a packet, in an object a backend reuses for later packets (with the
 * packet's pooled content): a packet whose {@code address()} nobody asks for costs no
 * {@link DivertAddress}. The packet makes its address from this the first time it is asked, while
 * it is owned; a backend writing the packet back reads the fields here instead
 * ({@link PacketAccess#readAddress}).
 */
public final class ReadAddress {
    private int port;
    private DivertAddress.Direction direction;
    private String interfaceName;
    private InetAddress interfaceAddress;
    private long tag;
    private int mark;

    /** Every field, for the next packet: nothing of the previous one stays. */
    public void set(
            int port,
            DivertAddress.Direction direction,
            String interfaceName,
            InetAddress interfaceAddress,
            long tag,
            int mark) {
        this.port = port;
        this.direction = direction;
        this.interfaceName = interfaceName;
        this.interfaceAddress = interfaceAddress;
        this.tag = tag;
        this.mark = mark;
    }

    /** As {@link DivertAddress#port()}. */
    public int port() {
        return port;
    }

    /** As {@link DivertAddress#tag()}: always a packet's, never {@link DivertAddress#NO_TAG}. */
    public long tag() {
        return tag;
    }

    /** As {@link DivertAddress#mark()}. */
    public int mark() {
        return mark;
    }

    /** The address these fields describe, a new object. */
    public DivertAddress toAddress() {
        return new DivertAddress(port, direction, interfaceName, interfaceAddress, tag, mark);
    }
}
