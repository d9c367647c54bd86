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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The FreeBSD argv, word for word, as jail(8), jls(8), jexec(8), ifconfig(8), ipfw(8) take them. */
class FreeBsdCommandsTest {
    private static String line(List<String> argv) {
        return String.join(" ", argv);
    }

    @Test
    void aSessionJailIsAPersistentVnetJailWithRoomForChildren() {
        assertEquals(
                "jail -c name=nettydivert-contract-42 path=/ vnet persist children.max=16"
                        + " host.hostname=nettydivert-contract-42",
                line(FreeBsdCommands.jailCreate("nettydivert-contract-42", 16)));
        assertEquals(
                "jail -c name=peer path=/ vnet persist host.hostname=peer",
                line(FreeBsdCommands.jailCreate("peer", 0)));
        assertEquals("jail -r peer", line(FreeBsdCommands.jailRemove("peer")));
        assertEquals("jls -j peer jid", line(FreeBsdCommands.jid("peer")));
        assertEquals("jls name", line(FreeBsdCommands.jailNames()));
        assertEquals("jexec peer ifconfig -a", line(FreeBsdCommands.jexec("peer", List.of("ifconfig", "-a"))));
        assertEquals("kldstat -q -m ipdivert", line(FreeBsdCommands.kldstat("ipdivert")));
    }

    @Test
    void interfacesAreEpairsWithAddressesAndIpv6WithoutDad() {
        assertEquals("ifconfig epair3 create", line(FreeBsdCommands.epairCreate(3)));
        assertEquals("ifconfig epair3a destroy", line(FreeBsdCommands.epairDestroy(3)));
        assertEquals("ifconfig epair3b vnet peer", line(FreeBsdCommands.moveToJail("epair3b", "peer")));
        assertEquals("ifconfig epair3a inet 10.99.0.1/24 up", line(FreeBsdCommands.inet("epair3a", "10.99.0.1/24")));
        assertEquals("ifconfig epair3a inet6 -ifdisabled no_dad", line(FreeBsdCommands.inet6Enable("epair3a")));
        assertEquals("ifconfig epair3a inet6 fd99::1/64", line(FreeBsdCommands.inet6("epair3a", "fd99::1/64")));
        assertEquals(
                List.of("ifconfig lo0 inet 127.0.0.1/8 up", "ifconfig lo0 inet6 -ifdisabled no_dad"),
                FreeBsdCommands.loopbackUp().stream()
                        .map(FreeBsdCommandsTest::line)
                        .toList());
        assertEquals("route -n add -inet default 10.99.1.1", line(FreeBsdCommands.defaultRoute("10.99.1.1")));
        assertEquals("route -n add -inet6 default fd99:1::1", line(FreeBsdCommands.defaultRoute("fd99:1::1")));
        assertEquals("sysctl net.inet.ip.forwarding=1", line(FreeBsdCommands.sysctl("net.inet.ip.forwarding", "1")));
    }

    @Test
    void ipfwRulesDivertWhatTheyMatchExceptWhatADivertSocketWrote() {
        assertEquals(
                "ipfw -q add 100 divert 7 udp from any to any 9999 out not diverted",
                line(FreeBsdCommands.ipfwDivert(100, 7, new IpfwMatch("udp", 0, 9999, "out", List.of()))));
        assertEquals(
                "ipfw -q add 200 divert 8 tcp from any 80 to any in via epair0a not diverted",
                line(FreeBsdCommands.ipfwDivert(200, 8, new IpfwMatch("tcp", 80, 0, "in", List.of("via", "epair0a")))));
        assertEquals(
                "ipfw -q add 300 divert 9 ip from any to any out recv epair* not diverted",
                line(FreeBsdCommands.ipfwDivert(300, 9, new IpfwMatch("ip", 0, 0, "out", List.of("recv", "epair*")))));
        assertEquals(
                "ipfw -q add 400 divert 9 icmp from any to any ip4 not diverted",
                line(FreeBsdCommands.ipfwDivert(400, 9, new IpfwMatch("icmp", 0, 0, null, List.of("ip4")))));
        assertEquals("ipfw -q add 65000 allow ip from any to any", line(FreeBsdCommands.ipfwAllowAll(65000)));
        assertEquals("ipfw -q flush", line(FreeBsdCommands.ipfwFlush()));
    }

    @Test
    void ipfwRulesRefuseWhatIpfwWouldNotTake() {
        assertThrows(IllegalArgumentException.class, () -> new IpfwMatch("icmp", 0, 53, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new IpfwMatch("sctp", 0, 0, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new IpfwMatch("udp", 0, 0, "both", List.of()));
        // ipfw2.c fill_iface drops an interface option whose argument is "any": it would match all.
        assertThrows(IllegalArgumentException.class, () -> new IpfwMatch("ip", 0, 0, "out", List.of("recv", "any")));
        assertThrows(
                IllegalArgumentException.class, () -> new IpfwMatch("ip", 0, 0, "out", List.of("not", "via", "any")));
        IpfwMatch any = new IpfwMatch("ip", 0, 0, null, List.of());
        assertThrows(IllegalArgumentException.class, () -> FreeBsdCommands.ipfwDivert(0, 7, any));
        assertThrows(IllegalArgumentException.class, () -> FreeBsdCommands.ipfwDivert(65000, 7, any));
    }

    @Test
    void theReaperWaitsForItsStdinToEndThenRemovesTheJailNamedAsItsZerothArgument() {
        assertEquals(
                List.of("/bin/sh", "-c", "cat >/dev/null; exec /usr/sbin/jail -r \"$0\"", "nettydivert-contract-42"),
                FreeBsdCommands.reaper("nettydivert-contract-42"));
    }

    @Test
    void aChildJailOverAnEpairIsMadeInThisOrderAndUndoneEpairFirst() {
        Plan plan = FreeBsdCommands.childOverEpair("b", 0, "10.99.0.1/24", "fd99::1/64", "10.99.0.2/24", "fd99::2/64");
        assertEquals(
                List.of(
                        "jail -c name=b path=/ vnet persist host.hostname=b",
                        "ifconfig epair0 create",
                        "ifconfig epair0b vnet b",
                        "ifconfig epair0a inet 10.99.0.1/24 up",
                        "ifconfig epair0a inet6 -ifdisabled no_dad",
                        "ifconfig epair0a inet6 fd99::1/64",
                        "jexec b ifconfig lo0 inet 127.0.0.1/8 up",
                        "jexec b ifconfig lo0 inet6 -ifdisabled no_dad",
                        "jexec b ifconfig epair0b inet 10.99.0.2/24 up",
                        "jexec b ifconfig epair0b inet6 -ifdisabled no_dad",
                        "jexec b ifconfig epair0b inet6 fd99::2/64",
                        "jexec b ipfw -q add 65000 allow ip from any to any"),
                plan.commands().stream().map(FreeBsdCommandsTest::line).toList());
        RecordingRunner runner = new RecordingRunner();
        Plan.Applied applied = plan.apply(runner);
        runner.clear();
        applied.undo();
        assertEquals(List.of("ifconfig epair0a destroy", "jail -r b"), runner.log());
        assertEquals("ipfw -q delete 100", line(FreeBsdCommands.ipfwDelete(100)));
    }
}
