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
package org.nettydivert.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DivertRuleTest {
    @Test
    void aRuleIsOutboundForBothFamiliesUntilToldOtherwise() {
        DivertRule rule = DivertRule.udp().toPort(53).divertTo(7);
        assertEquals(DivertRule.Direction.OUTBOUND, rule.direction());
        assertEquals(DivertRule.Family.BOTH, rule.family());
        assertEquals(53, rule.destinationPort());
        assertEquals(0, rule.sourcePort());
        assertEquals(7, rule.divertPort());
        assertEquals(-1, rule.balanceTo());
        assertEquals(DivertRule.DEFAULT_INJECT_MARK, rule.injectMark());
        assertEquals("DivertRule[UDP OUTBOUND to port 53 -> 7]", rule.toString());
    }

    @Test
    void eachMethodReturnsAChangedCopyAndLeavesTheOriginal() {
        DivertRule base = DivertRule.tcp().divertTo(1);
        DivertRule forwarded = base.forwarded().ipv6Only().fromPort(80).bypassWhenUnbound();
        assertEquals(DivertRule.Direction.OUTBOUND, base.direction());
        assertEquals(DivertRule.Direction.FORWARDED, forwarded.direction());
        assertEquals(DivertRule.Family.IPV6, forwarded.family());
        assertTrue(forwarded.bypassWhenUnboundSet());
        assertNotEquals(base, forwarded);
        assertEquals(
                forwarded,
                DivertRule.tcp().divertTo(1).forwarded().ipv6Only().fromPort(80).bypassWhenUnbound());
        assertEquals("DivertRule[TCP FORWARDED IPV6 from port 80 -> 1 bypass]", forwarded.toString());
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        assertEquals(
                "ICMP has no ports: use udp() or tcp()",
                assertThrows(IllegalArgumentException.class, () -> DivertRule.icmp()
                                .toPort(1))
                        .getMessage());
        assertEquals(
                "port 0 is outside 1..65535",
                assertThrows(IllegalArgumentException.class, () -> DivertRule.udp()
                                .toPort(0))
                        .getMessage());
        assertEquals(
                "divert port 70000 is outside 0..65535",
                assertThrows(IllegalArgumentException.class, () -> DivertRule.udp()
                                .divertTo(70000))
                        .getMessage());
        assertEquals(
                "balance 3:3: the last port must be above the first",
                assertThrows(IllegalArgumentException.class, () -> DivertRule.udp()
                                .balance(3, 3))
                        .getMessage());
        assertEquals(
                "inject mark 0 matches every unmarked packet: choose a nonzero mark",
                assertThrows(IllegalArgumentException.class, () -> DivertRule.udp()
                                .injectMark(0))
                        .getMessage());
        assertEquals(
                "DivertRule[UDP OUTBOUND -> ?] has no divert port: call divertTo(port)",
                assertThrows(IllegalStateException.class, () -> DivertRule.udp().divertPort())
                        .getMessage());
    }

    @Test
    void aBalancedRuleNamesItsRange() {
        DivertRule rule = DivertRule.anyProtocol().inbound().balance(2, 5);
        assertEquals(2, rule.divertPort());
        assertEquals(5, rule.balanceTo());
        assertEquals("DivertRule[ANY INBOUND -> 2..5]", rule.toString());
    }
}
