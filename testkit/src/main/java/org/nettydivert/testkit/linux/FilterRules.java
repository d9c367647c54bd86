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
package org.nettydivert.testkit.linux;

import java.util.ArrayList;
import java.util.List;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.platform.Commands;

/**
 * Renders {@link DivertRule}s as NFQUEUE rules of one of Linux's two front ends: iptables (with
 * whichever backend, nft or legacy, it was built with) or nft's own {@code queue} statement.
 * Rendering is pure, so the rules a test would install can be checked without root.
 */
public enum FilterRules {
    /** {@code iptables}/{@code ip6tables}, filter table, chains OUTPUT, INPUT and FORWARD. */
    IPTABLES {
        @Override
        public List<List<String>> render(DivertRule rule, boolean firstRule) {
            List<List<String>> commands = new ArrayList<>();
            if (rule.family() != DivertRule.Family.IPV6) {
                commands.add(iptables("iptables", rule, "icmp"));
            }
            if (rule.family() != DivertRule.Family.IPV4) {
                commands.add(iptables("ip6tables", rule, "ipv6-icmp"));
            }
            return commands;
        }

        private List<String> iptables(String program, DivertRule rule, String icmp) {
            List<String> argv = new ArrayList<>(List.of(program, "-A", chain(rule)));
            if (rule.protocol() != DivertRule.Protocol.ANY) {
                String protocol = rule.protocol() == DivertRule.Protocol.ICMP ? icmp : lower(rule.protocol());
                argv.addAll(List.of("-p", protocol));
            }
            if (rule.sourcePort() != 0) {
                argv.addAll(List.of("--sport", String.valueOf(rule.sourcePort())));
            }
            if (rule.destinationPort() != 0) {
                argv.addAll(List.of("--dport", String.valueOf(rule.destinationPort())));
            }
            // The channel's own injected packets carry its inject mark: diverting them again would loop.
            argv.addAll(List.of("-m", "mark", "!", "--mark", hex(rule.injectMark())));
            argv.addAll(List.of("-j", "NFQUEUE"));
            if (rule.balanceTo() >= 0) {
                argv.addAll(List.of("--queue-balance", rule.divertPort() + ":" + rule.balanceTo()));
            } else {
                argv.addAll(List.of("--queue-num", String.valueOf(rule.divertPort())));
            }
            if (rule.bypassWhenUnboundSet()) {
                argv.add("--queue-bypass");
            }
            return argv;
        }

        private String chain(DivertRule rule) {
            return switch (rule.direction()) {
                case OUTBOUND -> "OUTPUT";
                case INBOUND -> "INPUT";
                case FORWARDED -> "FORWARD";
            };
        }
    },

    /** {@code nft}: a table {@code inet netty_divert} of its own, one base chain per hook. */
    NFT {
        @Override
        public List<List<String>> render(DivertRule rule, boolean firstRule) {
            List<List<String>> commands = new ArrayList<>();
            String hook =
                    switch (rule.direction()) {
                        case OUTBOUND -> "output";
                        case INBOUND -> "input";
                        case FORWARDED -> "forward";
                    };
            if (firstRule) {
                commands.add(List.of("nft", "add", "table", "inet", TABLE));
            }
            // "add chain" of an existing chain with the same hook is a no-op, so every rule may say it.
            commands.add(List.of(
                    "nft", "add chain inet " + TABLE + " " + hook + " { type filter hook " + hook + " priority 0 ; }"));
            StringBuilder r = new StringBuilder("add rule inet " + TABLE + " " + hook);
            if (rule.family() != DivertRule.Family.BOTH) {
                r.append(" meta nfproto ").append(rule.family() == DivertRule.Family.IPV4 ? "ipv4" : "ipv6");
            }
            switch (rule.protocol()) {
                case ANY -> {}
                case ICMP -> r.append(
                        rule.family() == DivertRule.Family.IPV4
                                ? " meta l4proto icmp"
                                : rule.family() == DivertRule.Family.IPV6
                                        ? " meta l4proto ipv6-icmp"
                                        : " meta l4proto { icmp, ipv6-icmp }");
                default -> r.append(" meta l4proto ").append(lower(rule.protocol()));
            }
            String l4 = lower(rule.protocol());
            if (rule.sourcePort() != 0) {
                r.append(' ').append(l4).append(" sport ").append(rule.sourcePort());
            }
            if (rule.destinationPort() != 0) {
                r.append(' ').append(l4).append(" dport ").append(rule.destinationPort());
            }
            r.append(" meta mark != ").append(hex(rule.injectMark()));
            r.append(" queue");
            if (rule.bypassWhenUnboundSet()) {
                r.append(" flags bypass");
            }
            r.append(" to ").append(rule.divertPort());
            if (rule.balanceTo() >= 0) {
                r.append('-').append(rule.balanceTo());
            }
            commands.add(List.of("nft", r.toString()));
            return commands;
        }
    };

    /** The nft table the kit's rules go in. */
    public static final String TABLE = "netty_divert";

    /**
     * The commands that install {@code rule}, each an argv to run inside the host.
     *
     * @param firstRule whether it is the host's first rule (nft makes its table then)
     */
    public abstract List<List<String>> render(DivertRule rule, boolean firstRule);

    /**
     * The front end to use: the system property {@code nettydivert.testkit.filter} ({@code
     * iptables} or {@code nft}) when set, else iptables when installed, else nft.
     */
    public static FilterRules choose() {
        String chosen = System.getProperty("nettydivert.testkit.filter", "");
        if (!chosen.isEmpty()) {
            return valueOf(chosen.toUpperCase(java.util.Locale.ROOT));
        }
        return Commands.which("iptables").isPresent()
                        && Commands.which("ip6tables").isPresent()
                ? IPTABLES
                : NFT;
    }

    private static String lower(Object o) {
        return o.toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static String hex(int mark) {
        return "0x" + Integer.toHexString(mark);
    }
}
