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

/** IP protocol and IPv6 next-header numbers (IANA "Assigned Internet Protocol Numbers"). */
public final class IpProtocol {
    private IpProtocol() {}

    /** IPv6 Hop-by-Hop Options. */
    public static final int HOP_BY_HOP = 0;
    /** ICMP for IPv4. */
    public static final int ICMP = 1;
    /** TCP. */
    public static final int TCP = 6;
    /** UDP. */
    public static final int UDP = 17;
    /** IPv6 Routing header. */
    public static final int ROUTING = 43;
    /** IPv6 Fragment header. */
    public static final int FRAGMENT = 44;
    /** Generic Routing Encapsulation (RFC 2784). */
    public static final int GRE = 47;
    /** Encapsulating Security Payload: encrypted, the walk ends here. */
    public static final int ESP = 50;
    /** Authentication Header. */
    public static final int AH = 51;
    /** ICMP for IPv6. */
    public static final int ICMPV6 = 58;
    /** IPv6 No Next Header. */
    public static final int NO_NEXT_HEADER = 59;
    /** IPv6 Destination Options. */
    public static final int DESTINATION_OPTIONS = 60;

    /** A short name for people: "TCP", "UDP", "ICMP", "ICMP6", "ESP"..., or "proto " and the number. */
    public static String name(int protocol) {
        // Transport protocols are named by the protocol table, so that a new one is named where it is added.
        String transport = TransportProtocol.nameOf(protocol);
        if (transport != null) {
            return transport;
        }
        switch (protocol) {
            case ESP:
                return "ESP";
            case AH:
                return "AH";
            case NO_NEXT_HEADER:
                return "none";
            default:
                return "proto " + protocol;
        }
    }
}
