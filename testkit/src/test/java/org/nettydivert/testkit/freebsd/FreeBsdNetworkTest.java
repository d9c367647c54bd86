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

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nettydivert.bsdjail.CommandFailedException;
import org.nettydivert.bsdjail.RecordingRunner;
import org.nettydivert.bsdjail.VnetSession;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Topology;

/**
 * FreeBSD networks on a recording runner: the exact commands of each topology, their removal in
 * reverse, removal when a step fails, the rules, and what child hosts refuse.
 */
class FreeBsdNetworkTest {
    private final RecordingRunner runner = new RecordingRunner().answer(List.of("jls", "-j"), 0, "5\n");
    private final VnetSession session =
            VnetSession.open("nettydivert-testkit-1", runner, argv -> {}, jid -> {}, pid -> true);

    private String prefix() {
        String first = runner.log().get(0); // jail -c name=tN-... path=/ ...
        String name = first.substring("jail -c name=".length(), first.indexOf(' ', "jail -c name=".length()));
        return name.substring(0, name.indexOf('-') + 1);
    }

    private static List<String> child(String jail, int unit, String here4, String here6, String there4, String there6) {
        String a = "epair" + unit + "a";
        String b = "epair" + unit + "b";
        return List.of(
                "jail -c name=" + jail + " path=/ vnet persist host.hostname=" + jail,
                "ifconfig epair" + unit + " create",
                "ifconfig " + b + " vnet " + jail,
                "ifconfig " + a + " inet " + here4 + " up",
                "ifconfig " + a + " inet6 -ifdisabled no_dad",
                "ifconfig " + a + " inet6 " + here6,
                "jexec " + jail + " ifconfig lo0 inet 127.0.0.1/8 up",
                "jexec " + jail + " ifconfig lo0 inet6 -ifdisabled no_dad",
                "jexec " + jail + " ifconfig " + b + " inet " + there4 + " up",
                "jexec " + jail + " ifconfig " + b + " inet6 -ifdisabled no_dad",
                "jexec " + jail + " ifconfig " + b + " inet6 " + there6,
                "jexec " + jail + " ipfw -q add 65000 allow ip from any to any");
    }

    @Test
    void singleIsTheSessionJailAloneAndLeavesNothingToRemove() {
        runner.clear();
        FreeBsdNetwork network = FreeBsdNetwork.create(Topology.SINGLE, session);
        assertEquals(List.of(), runner.log());
        assertEquals("127.0.0.1", network.host().ipv4().getHostAddress());
        assertEquals("freebsd", network.platform());
        network.close();
        assertEquals(List.of(), runner.log());
        assertEquals(List.of(), network.survivors());
    }

    @Test
    void aPairIsTheSessionJailAndAChildAcrossEpair0() {
        runner.clear();
        FreeBsdNetwork network = FreeBsdNetwork.create(Topology.PAIR, session);
        String p = prefix();
        assertEquals(child(p + "b", 0, "10.99.0.1/24", "fd99::1/64", "10.99.0.2/24", "fd99::2/64"), runner.log());
        runner.clear();
        assertEquals(
                "jexec " + p + "b ping -c 1 10.99.0.1",
                String.join(
                        " ",
                        network.host("b").run("ping", "-c", "1", "10.99.0.1").argv()));
        network.divert(
                DivertRule.udp().toPort(53).divertTo(7),
                DivertRule.icmp().inbound().divertTo(8));
        network.close();
        assertEquals(
                List.of(
                        "jexec " + p + "b ping -c 1 10.99.0.1",
                        "ipfw -q add 1000 divert 7 udp from any to any 53 out not recv epair* not diverted",
                        "ipfw -q add 1010 divert 8 icmp from any to any in not diverted",
                        "ipfw -q add 1011 divert 8 ipv6-icmp from any to any in not diverted",
                        "ipfw -q delete 1011",
                        "ipfw -q delete 1010",
                        "ipfw -q delete 1000",
                        "ifconfig epair0a destroy",
                        "jail -r " + p + "b"),
                runner.log());
        assertEquals(0, session.takeEpairUnit(), "the epair unit was given back");
        session.releaseEpairUnit(0);
    }

    @Test
    void routedIsClientAndServerJailsAroundTheSessionJailWhichForwards() {
        runner.clear();
        FreeBsdNetwork network = FreeBsdNetwork.create(Topology.ROUTED, session);
        String p = prefix();
        List<String> expected = new ArrayList<>();
        expected.addAll(child(p + "client", 0, "10.99.1.1/24", "fd99:1::1/64", "10.99.1.2/24", "fd99:1::2/64"));
        expected.addAll(child(p + "server", 1, "10.99.2.1/24", "fd99:2::1/64", "10.99.2.2/24", "fd99:2::2/64"));
        expected.addAll(List.of(
                "jexec " + p + "client route -n add -inet default 10.99.1.1",
                "jexec " + p + "client route -n add -inet6 default fd99:1::1",
                "jexec " + p + "server route -n add -inet default 10.99.2.1",
                "jexec " + p + "server route -n add -inet6 default fd99:2::1",
                "sysctl net.inet.ip.forwarding=1",
                "sysctl net.inet6.ip6.forwarding=1"));
        assertEquals(expected, runner.log());
        assertEquals("router", network.host().name());
        runner.clear();
        network.close();
        assertEquals(
                List.of(
                        "sysctl net.inet6.ip6.forwarding=0",
                        "sysctl net.inet.ip.forwarding=0",
                        "ifconfig epair1a destroy",
                        "jail -r " + p + "server",
                        "ifconfig epair0a destroy",
                        "jail -r " + p + "client"),
                runner.log());
    }

    @Test
    void aStepThatFailsRemovesWhatWasMadeBeforeIt() {
        runner.answer(List.of("ifconfig", "epair1", "create"), 1, "");
        runner.clear();
        assertThrows(CommandFailedException.class, () -> FreeBsdNetwork.create(Topology.ROUTED, session));
        List<String> log = runner.log();
        assertEquals("ifconfig epair1 create", log.get(log.size() - 4));
        String p = prefix();
        assertEquals(
                List.of("jail -r " + p + "server", "ifconfig epair0a destroy", "jail -r " + p + "client"),
                log.subList(log.size() - 3, log.size()));
        assertEquals(0, session.takeEpairUnit(), "the units were given back");
    }

    @Test
    void aChildHostRunsCommandsAndRefusesTheRestSayingWhy() {
        FreeBsdNetwork network = FreeBsdNetwork.create(Topology.PAIR, session);
        try {
            UnsupportedOperationException e = assertThrows(
                    UnsupportedOperationException.class, () -> network.host("b").udp(0));
            assertTrue(
                    e.getMessage().startsWith("on FreeBSD, udp(...) works on the diverting host only"), e.getMessage());
            assertThrows(
                    UnsupportedOperationException.class, () -> network.host("b").bind(7, null));
            assertThrows(UnsupportedOperationException.class, () -> network.host("b")
                    .divert(DivertRule.udp().divertTo(7)));
            assertEquals(0, network.host().waitingForVerdict(7));
            assertEquals(List.of(), network.unsettled(10));
        } finally {
            network.close();
        }
    }

    @Test
    void survivorsAreTheChildJailsJlsStillLists() {
        runner.clear();
        FreeBsdNetwork network = FreeBsdNetwork.create(Topology.PAIR, session);
        String p = prefix();
        network.close();
        runner.answer(List.of("jls", "name"), 0, p + "b\nother\n");
        assertEquals(List.of(p + "b"), network.survivors());
    }

    @Test
    void thePlatformSweepsTheSessionJailsOfDeadJvmsAndSaysWhyItCannotRun() {
        long alive = ProcessHandle.current().pid();
        RecordingRunner host = new RecordingRunner()
                .answer(
                        List.of("jls", "name"),
                        0,
                        "nettydivert-testkit-" + alive
                                + "\nnettydivert-testkit-999999999\nnettydivert-testkit-999999999.t1-b\n")
                .answer(List.of("kldstat", "-q", "-m", "ipfw"), 1, "");
        FreeBsdPlatform platform = new FreeBsdPlatform(host, () -> session, "FreeBSD", () -> true);
        assertEquals(List.of("nettydivert-testkit-999999999"), platform.sweep());
        assertEquals(List.of("jls name", "jail -r nettydivert-testkit-999999999"), host.log());
        assertTrue(platform.whyUnavailable().startsWith("ipfw is not in the kernel: kldload ipfw ipdivert"));
        assertEquals(
                "VNET jails need root (jail -c, jail_attach): run the tests as root",
                new FreeBsdPlatform(host, () -> session, "FreeBSD", () -> false).whyUnavailable());
    }
}
