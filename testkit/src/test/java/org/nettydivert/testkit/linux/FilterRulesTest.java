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

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nettydivert.testkit.DivertRule;

/** The exact commands each front end gets; the kernel tests show that the kernel takes them. */
class FilterRulesTest {
    @Test
    void iptablesGetsOneRulePerFamilyWithTheInjectMarkLeftAlone() {
        assertEquals(
                List.of(
                        List.of(
                                "iptables",
                                "-A",
                                "OUTPUT",
                                "-p",
                                "udp",
                                "--dport",
                                "53",
                                "-m",
                                "mark",
                                "!",
                                "--mark",
                                "0x4456",
                                "-j",
                                "NFQUEUE",
                                "--queue-num",
                                "7"),
                        List.of(
                                "ip6tables",
                                "-A",
                                "OUTPUT",
                                "-p",
                                "udp",
                                "--dport",
                                "53",
                                "-m",
                                "mark",
                                "!",
                                "--mark",
                                "0x4456",
                                "-j",
                                "NFQUEUE",
                                "--queue-num",
                                "7")),
                FilterRules.IPTABLES.render(DivertRule.udp().toPort(53).divertTo(7), true));
    }

    @Test
    void iptablesSpellsEveryOption() {
        DivertRule rule = DivertRule.tcp()
                .forwarded()
                .ipv4Only()
                .fromPort(80)
                .balance(2, 3)
                .bypassWhenUnbound()
                .injectMark(0x10);
        assertEquals(
                List.of(List.of(
                        "iptables",
                        "-A",
                        "FORWARD",
                        "-p",
                        "tcp",
                        "--sport",
                        "80",
                        "-m",
                        "mark",
                        "!",
                        "--mark",
                        "0x10",
                        "-j",
                        "NFQUEUE",
                        "--queue-balance",
                        "2:3",
                        "--queue-bypass")),
                FilterRules.IPTABLES.render(rule, false));
        assertEquals(
                List.of(List.of(
                        "ip6tables",
                        "-A",
                        "INPUT",
                        "-p",
                        "ipv6-icmp",
                        "-m",
                        "mark",
                        "!",
                        "--mark",
                        "0x4456",
                        "-j",
                        "NFQUEUE",
                        "--queue-num",
                        "1")),
                FilterRules.IPTABLES.render(
                        DivertRule.icmp().inbound().ipv6Only().divertTo(1), false));
        assertEquals(
                List.of(List.of(
                        "iptables",
                        "-A",
                        "OUTPUT",
                        "-m",
                        "mark",
                        "!",
                        "--mark",
                        "0x4456",
                        "-j",
                        "NFQUEUE",
                        "--queue-num",
                        "0")),
                FilterRules.IPTABLES.render(DivertRule.anyProtocol().ipv4Only().divertTo(0), false));
    }

    @Test
    void nftMakesItsTableOnceAndAChainPerHook() {
        assertEquals(
                List.of(
                        List.of("nft", "add", "table", "inet", "netty_divert"),
                        List.of("nft", "add chain inet netty_divert output { type filter hook output priority 0 ; }"),
                        List.of(
                                "nft",
                                "add rule inet netty_divert output meta l4proto udp udp dport 53"
                                        + " meta mark != 0x4456 queue to 7")),
                FilterRules.NFT.render(DivertRule.udp().toPort(53).divertTo(7), true));
        assertEquals(
                List.of(
                        List.of("nft", "add chain inet netty_divert forward { type filter hook forward priority 0 ; }"),
                        List.of(
                                "nft",
                                "add rule inet netty_divert forward meta nfproto ipv4 meta l4proto tcp"
                                        + " tcp sport 80 meta mark != 0x10 queue flags bypass to 2-3")),
                FilterRules.NFT.render(
                        DivertRule.tcp()
                                .forwarded()
                                .ipv4Only()
                                .fromPort(80)
                                .balance(2, 3)
                                .bypassWhenUnbound()
                                .injectMark(0x10),
                        false));
        assertEquals(
                List.of(
                        List.of("nft", "add chain inet netty_divert input { type filter hook input priority 0 ; }"),
                        List.of(
                                "nft",
                                "add rule inet netty_divert input meta l4proto { icmp, ipv6-icmp }"
                                        + " meta mark != 0x4456 queue to 1")),
                FilterRules.NFT.render(DivertRule.icmp().inbound().divertTo(1), false));
    }
}
