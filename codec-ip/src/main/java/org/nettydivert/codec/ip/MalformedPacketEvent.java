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

import java.util.Objects;
import org.nettydivert.transport.DivertAddress;

/**
 * The user event {@link IpPacketDecoder} fires, with {@link MalformedPacketAction#REPORT}, for a
 * datagram it could not parse and has dropped. Holds no buffer: the first bytes are kept as text.
 */
public final class MalformedPacketEvent {
    private final MalformedReason reason;
    private final String detail;
    private final DivertAddress address;
    private final int length;
    private final String firstBytes;

    /** An event for a dropped datagram of {@code length} bytes read with {@code address}. */
    public MalformedPacketEvent(
            MalformedReason reason, String detail, DivertAddress address, int length, String firstBytes) {
        this.reason = Objects.requireNonNull(reason, "reason");
        this.detail = Objects.requireNonNull(detail, "detail");
        this.address = address;
        this.length = length;
        this.firstBytes = Objects.requireNonNull(firstBytes, "firstBytes");
    }

    /** Why the datagram could not be parsed. */
    public MalformedReason reason() {
        return reason;
    }

    /** What was found, for people: {@code "IHL 3 in 40 bytes"}. */
    public String detail() {
        return detail;
    }

    /** The address the datagram was read with. */
    public DivertAddress address() {
        return address;
    }

    /** The datagram's length in bytes. */
    public int length() {
        return length;
    }

    /** The first 16 bytes in hex ({@code ByteBufUtil.hexDump}), followed by {@code " ..."} when there were more. */
    public String firstBytes() {
        return firstBytes;
    }

    @Override
    public String toString() {
        return "MalformedPacketEvent(" + reason + ": " + detail + ", " + length + " bytes, " + address + ", "
                + firstBytes + ")";
    }
}
