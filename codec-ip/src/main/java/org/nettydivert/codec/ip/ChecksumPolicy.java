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

/**
 * Which checksums a check accepts: see {@link IpPacket#verifyChecksums(ChecksumPolicy)} and {@link
 * IpPacketDecoder#IpPacketDecoder(MalformedPacketAction, ChecksumPolicy)}.
 */
public enum ChecksumPolicy {
    /** Checksums are not checked: every datagram passes. What the decoder does by default. */
    IGNORE,
    /** Only {@link ChecksumStatus#GOOD} checksums pass. */
    STRICT,
    /**
     * {@link ChecksumStatus#GOOD} and {@link ChecksumStatus#PARTIAL} checksums pass: for packets
     * that a Linux host sends itself, and captures taken on veth or loopback devices, where TCP and
     * UDP checksums are offloaded and only the pseudo-header sum is filled in.
     */
    ACCEPT_PARTIAL;

    /** Whether a datagram whose checksums are {@code status} passes. */
    public boolean accepts(ChecksumStatus status) {
        switch (this) {
            case IGNORE:
                return true;
            case STRICT:
                return status == ChecksumStatus.GOOD;
            default:
                return status != ChecksumStatus.BAD;
        }
    }
}
