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

/** Why a datagram could not be parsed. */
public enum MalformedReason {
    /** Shorter than the fixed IP header. */
    TRUNCATED,
    /** The version nibble is neither 4 nor 6. */
    UNKNOWN_VERSION,
    /** IPv4 Internet Header Length below 5 or past the end of the datagram. */
    BAD_IHL,
    /** IPv4 total length or IPv6 payload length disagrees with the bytes there are. */
    BAD_TOTAL_LENGTH,
    /** An IPv6 extension header runs past the end, or hop-by-hop is not first. */
    BAD_EXTENSION_CHAIN,
    /** The transport header (TCP, UDP, ICMP...) does not fit in the datagram, or a TCP data offset is impossible. */
    TRANSPORT_TRUNCATED,
    /**
     * A checksum the decoder's {@link ChecksumPolicy} does not accept (only with a policy other
     * than {@link ChecksumPolicy#IGNORE}).
     */
    BAD_CHECKSUM
}
