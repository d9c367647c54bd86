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
package org.nettydivert.testkit.freebsd;

import java.util.ArrayList;
import java.util.List;
import org.nettydivert.bsdjail.FreeBsdCommands;
import org.nettydivert.bsdjail.IpfwMatch;
import org.nettydivert.testkit.DivertRule;

/**
 * {@link DivertRule}s as ipfw(8) rules: {@code ipfw -q add N divert PORT PROTO from any [PORT] to
 * any [PORT] DIRECTION [ip4|ip6] not diverted}. Directions: outbound is {@code out not recv
 * epair*} (sent by this host: a forwarded packet going out has the link it came in on as its
 * receive interface, and every link of the kit's networks is an epair), forwarded is {@code out
 * recv epair*} (each forwarded packet diverted once, on its way out), inbound is {@code in} (which
 * on a forwarding host also sees packets only passing through, unlike Linux's INPUT). {@code recv
 * any} would not do: ipfw(8) drops an interface option whose argument is {@code any} ({@code
 * fill_iface}: "effectively ignore this command"). {@code not diverted} keeps a channel's own
 * writes from coming back: it is FreeBSD's form of the inject mark.
 */
public final class IpfwRules {
    /** Every link of a kit network, as an ipfw interface glob. */
    static final String LINKS = "epair*";

    private IpfwRules() {}

    /**
     * The rules for {@code rule}, numbered from {@code first} (ICMP for both families takes two).
     *
     * @throws UnsupportedOperationException for what ipfw cannot do: a balanced range, or bypass
     */
    public static List<List<String>> render(DivertRule rule, int first) {
        int port = rule.divertPort(); // a rule without a port fails here, naming itself
        if (rule.balanceTo() >= 0) {
            throw new UnsupportedOperationException(rule + ": FreeBSD diverts a rule to one port, and no released"
                    + " FreeBSD balances one port over several sockets; write one rule per port instead of balance()");
        }
        if (rule.bypassWhenUnboundSet()) {
            throw new UnsupportedOperationException(rule + ": FreeBSD has no bypass; ipfw's divert drops the packets"
                    + " of a port no socket is bound to (divert(4)); bind the channel before the traffic starts and"
                    + " drop bypassWhenUnbound()");
        }
        List<String> direction =
                switch (rule.direction()) {
                    case OUTBOUND -> List.of("out", "not", "recv", LINKS);
                    case FORWARDED -> List.of("out", "recv", LINKS);
                    case INBOUND -> List.of("in");
                };
        List<List<String>> rules = new ArrayList<>();
        int number = first;
        for (String[] protoAndFamily : protocols(rule)) {
            List<String> options = new ArrayList<>(direction.subList(1, direction.size()));
            if (protoAndFamily[1] != null) {
                options.add(protoAndFamily[1]);
            }
            IpfwMatch match = new IpfwMatch(
                    protoAndFamily[0], rule.sourcePort(), rule.destinationPort(), direction.get(0), options);
            rules.add(FreeBsdCommands.ipfwDivert(number++, port, match));
        }
        return rules;
    }

    /** The ipfw protocol word and the family option, per rule ipfw needs. */
    private static List<String[]> protocols(DivertRule rule) {
        String family =
                switch (rule.family()) {
                    case IPV4 -> "ip4";
                    case IPV6 -> "ip6";
                    case BOTH -> null;
                };
        return switch (rule.protocol()) {
            case ANY -> List.<String[]>of(new String[] {family == null ? "ip" : family, null});
            case UDP -> List.<String[]>of(new String[] {"udp", family});
            case TCP -> List.<String[]>of(new String[] {"tcp", family});
            case ICMP -> switch (rule.family()) {
                case IPV4 -> List.<String[]>of(new String[] {"icmp", null});
                case IPV6 -> List.<String[]>of(new String[] {"ipv6-icmp", null});
                case BOTH -> List.<String[]>of(new String[] {"icmp", null}, new String[] {"ipv6-icmp", null});
            };
        };
    }
}
