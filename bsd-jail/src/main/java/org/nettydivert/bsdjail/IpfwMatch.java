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
package org.nettydivert.bsdjail;

import java.util.List;

/**
 * What an ipfw divert rule matches, in ipfw(8)'s own words: {@code PROTO from any [PORT] to any
 * [PORT] [in|out] [OPTIONS...]}. The rendering ({@link FreeBsdCommands#ipfwDivert}) adds {@code
 * not diverted}, so that packets a divert socket wrote are never diverted again.
 *
 * @param protocol {@code ip}, {@code ip4}, {@code ip6}, {@code udp}, {@code tcp}, {@code icmp} or
 *     {@code ipv6-icmp}
 * @param fromPort the source port, 0 for any (udp and tcp only)
 * @param toPort the destination port, 0 for any (udp and tcp only)
 * @param direction {@code in}, {@code out}, or null for both
 * @param options further options as ipfw words ({@code ip4}, {@code recv epair*}, {@code via epair0a}); never
 *     {@code recv any}, {@code xmit any} or {@code via any}, which ipfw silently drops
 */
public record IpfwMatch(String protocol, int fromPort, int toPort, String direction, List<String> options) {
    /** Checks the words and copies the options. */
    public IpfwMatch {
        if (!List.of("ip", "ip4", "ip6", "udp", "tcp", "icmp", "ipv6-icmp").contains(protocol)) {
            throw new IllegalArgumentException("ipfw protocol " + protocol + " is not one the kit renders");
        }
        if ((fromPort != 0 || toPort != 0) && !protocol.equals("udp") && !protocol.equals("tcp")) {
            throw new IllegalArgumentException(protocol + " has no ports");
        }
        if (direction != null && !direction.equals("in") && !direction.equals("out")) {
            throw new IllegalArgumentException("direction is in, out or null: " + direction);
        }
        for (int i = 0; i + 1 < options.size(); i++) {
            String word = options.get(i);
            if ((word.equals("recv") || word.equals("xmit") || word.equals("via"))
                    && options.get(i + 1).equals("any")) {
                // ipfw2.c fill_iface: "any" sets the option's length to 0, "effectively ignore this command".
                throw new IllegalArgumentException(
                        word + " any matches nothing: ipfw drops the option; name the interfaces (epair*)");
            }
        }
        options = List.copyOf(options);
    }
}
