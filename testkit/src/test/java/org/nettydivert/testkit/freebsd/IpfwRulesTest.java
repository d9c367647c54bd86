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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nettydivert.testkit.DivertRule;

/** DivertRules as ipfw rules, word for word. */
class IpfwRulesTest {
    private static List<String> render(DivertRule rule) {
        return IpfwRules.render(rule, 1000).stream()
                .map(argv -> String.join(" ", argv))
                .toList();
    }

    @Test
    void outboundUdpToAPortLeavesForwardedAndInjectedPacketsAlone() {
        assertEquals(
                List.of("ipfw -q add 1000 divert 7 udp from any to any 53 out not recv epair* not diverted"),
                render(DivertRule.udp().toPort(53).outbound().divertTo(7)));
    }

    @Test
    void forwardedTcpIsDivertedOnItsWayOut() {
        assertEquals(
                List.of("ipfw -q add 1000 divert 8 tcp from any to any out recv epair* not diverted"),
                render(DivertRule.tcp().forwarded().divertTo(8)));
    }

    @Test
    void inboundFromAPortForOneFamily() {
        assertEquals(
                List.of("ipfw -q add 1000 divert 9 udp from any 4321 to any in ip6 not diverted"),
                render(DivertRule.udp().fromPort(4321).inbound().ipv6Only().divertTo(9)));
        assertEquals(
                List.of("ipfw -q add 1000 divert 9 ip4 from any to any in not diverted"),
                render(DivertRule.anyProtocol().inbound().ipv4Only().divertTo(9)));
        assertEquals(
                List.of("ipfw -q add 1000 divert 9 ip from any to any out not recv epair* not diverted"),
                render(DivertRule.anyProtocol().divertTo(9)));
    }

    @Test
    void icmpForBothFamiliesTakesTwoRules() {
        assertEquals(
                List.of(
                        "ipfw -q add 1000 divert 3 icmp from any to any in not diverted",
                        "ipfw -q add 1001 divert 3 ipv6-icmp from any to any in not diverted"),
                render(DivertRule.icmp().inbound().divertTo(3)));
        assertEquals(
                List.of("ipfw -q add 1000 divert 3 ipv6-icmp from any to any in not diverted"),
                render(DivertRule.icmp().inbound().ipv6Only().divertTo(3)));
    }

    @Test
    void bypassAndBalanceAreRefusedSayingWhy() {
        UnsupportedOperationException bypass = assertThrows(
                UnsupportedOperationException.class,
                () -> render(DivertRule.udp().divertTo(7).bypassWhenUnbound()));
        assertTrue(bypass.getMessage().contains("FreeBSD has no bypass"), bypass.getMessage());
        UnsupportedOperationException balance = assertThrows(
                UnsupportedOperationException.class,
                () -> render(DivertRule.udp().balance(1, 4)));
        assertTrue(balance.getMessage().contains("one rule per port"), balance.getMessage());
        assertThrows(IllegalStateException.class, () -> render(DivertRule.udp()));
    }
}
