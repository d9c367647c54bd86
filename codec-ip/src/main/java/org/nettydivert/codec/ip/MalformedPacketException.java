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

import io.netty.handler.codec.DecoderException;

/** Thrown by {@link IpPacket#decode} when a datagram cannot be parsed; carries the reason. */
public final class MalformedPacketException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final MalformedReason reason;

    /** An exception for {@code reason}, with a text that says what was found. */
    public MalformedPacketException(MalformedReason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    /** Why the datagram could not be parsed. */
    public MalformedReason reason() {
        return reason;
    }
}
