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

import io.netty.channel.CombinedChannelDuplexHandler;

/** {@link IpPacketDecoder} and {@link IpPacketEncoder} in one handler. One instance per channel. */
public final class IpPacketCodec extends CombinedChannelDuplexHandler<IpPacketDecoder, IpPacketEncoder> {
    /** Malformed datagrams pass on raw; the encoder recomputes the IPv4 header checksum only. */
    public IpPacketCodec() {
        this(MalformedPacketAction.PASS_RAW, IpPacketEncoder.ChecksumMode.IP_HEADER);
    }

    /** A codec with the given malformed-datagram action and checksum mode. */
    public IpPacketCodec(MalformedPacketAction onMalformed, IpPacketEncoder.ChecksumMode checksums) {
        this(onMalformed, checksums, ChecksumPolicy.IGNORE);
    }

    /**
     * A codec that also checks the checksums of what it reads: a datagram {@code verify} does not
     * accept is handled as {@code onMalformed} says; see {@link
     * IpPacketDecoder#IpPacketDecoder(MalformedPacketAction, ChecksumPolicy)}.
     */
    public IpPacketCodec(
            MalformedPacketAction onMalformed, IpPacketEncoder.ChecksumMode checksums, ChecksumPolicy verify) {
        super(new IpPacketDecoder(onMalformed, verify), new IpPacketEncoder(checksums));
    }
}
