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
package org.nettydivert.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nettydivert.bsdjail.Plan;
import org.nettydivert.bsdjail.RecordingRunner;

/**
 * The real-BSD contract's setup, checked off a BSD: the exact rules and their removal, the peer
 * jail, and the one-line reasons it skips for.
 */
class BsdContractSetupTest {
    private static List<String> lines(Plan plan) {
        return plan.commands().stream().map(argv -> String.join(" ", argv)).toList();
    }

    @Test
    void onFreeBsdTheContractLoadsOneIpfwRuleAndDeletesItAfter() {
        assertEquals(
                List.of("ipfw -q add 100 divert 7 udp from any to any 9999 out not diverted"),
                lines(RealBsdKernel.freeBsdRules()));
        RecordingRunner runner = new RecordingRunner();
        Plan.Applied applied = RealBsdKernel.freeBsdRules().apply(runner);
        applied.undo();
        assertEquals(
                List.of("ipfw -q add 100 divert 7 udp from any to any 9999 out not diverted", "ipfw -q delete 100"),
                runner.log());
    }

    @Test
    void onOpenBsdTheContractLoadsItsAnchorAndFlushesItAfter() {
        assertEquals(
                "pass out quick on lo0 inet proto udp to 127.0.0.1 port 9999 divert-packet port 7\n",
                RealBsdKernel.openBsdAnchor());
        RecordingRunner runner = new RecordingRunner();
        RealBsdKernel.openBsdRules("/tmp/x.pf").apply(runner).undo();
        assertEquals(
                List.of("pfctl -a nettydivert/contract -f /tmp/x.pf", "pfctl -a nettydivert/contract -F rules"),
                runner.log());
    }

    @Test
    void thePeerIsAChildJailAcrossEpair0() {
        List<String> peer = lines(RealBsd.peerPlan(0));
        assertEquals("jail -c name=peer path=/ vnet persist host.hostname=peer", peer.get(0));
        assertEquals("ifconfig epair0a inet 10.99.0.1/24 up", peer.get(3));
        assertEquals("jexec peer ifconfig epair0b inet 10.99.0.2/24 up", peer.get(8));
        assertEquals("jexec peer ipfw -q add 65000 allow ip from any to any", peer.get(peer.size() - 1));
    }

    @Test
    void itSkipsWithOneLineSayingWhy() {
        RecordingRunner ok = new RecordingRunner();
        assertEquals(
                "the real-BSD contract runs only as ./mvnw -pl transport-divert -am -Pbsd-contract verify",
                RealBsd.whyNot("FreeBSD", null, "FreeBSD", true, true, ok));
        assertEquals(
                "the real-BSD contract needs FreeBSD 14/15 or OpenBSD 7.8; this is Linux",
                RealBsd.whyNot("FreeBSD", "true", "Linux", false, true, ok));
        assertEquals(
                "OpenBSD's checks run on OpenBSD; this is FreeBSD",
                RealBsd.whyNot("OpenBSD", "true", "FreeBSD", true, true, ok));
        assertEquals(
                "VNET jails need root (jail -c, jail_attach): run the tests as root",
                RealBsd.whyNot("FreeBSD", "true", "FreeBSD", false, true, ok));
        assertEquals(
                "this check needs a normal user: run ./mvnw -pl transport-divert -am -Pbsd-contract verify once more"
                        + " as one",
                RealBsd.whyNot("FreeBSD", "true", "FreeBSD", true, false, ok));
        assertEquals("", RealBsd.whyNot("FreeBSD", "true", "FreeBSD", false, false, ok));
        assertEquals("", RealBsd.whyNot("FreeBSD", "true", "FreeBSD", true, true, ok));
    }

    @Test
    void onOpenBsdItSaysWhatPfLacks() {
        RecordingRunner disabled =
                new RecordingRunner().answer(List.of("pfctl", "-s", "info"), 0, "Status: Disabled\n");
        assertEquals("pf is disabled: pfctl -e", RealBsd.whyNot("OpenBSD", "true", "OpenBSD", true, true, disabled));
        RecordingRunner unhooked = new RecordingRunner().answer(List.of("pfctl", "-s", "info"), 0, "Status: Enabled\n");
        assertEquals(
                "the main pf ruleset lacks anchor \"nettydivert/*\": add that line to /etc/pf.conf and run pfctl -f"
                        + " /etc/pf.conf",
                RealBsd.whyNot("OpenBSD", "true", "OpenBSD", true, true, unhooked));
        RecordingRunner skipping = new RecordingRunner()
                .answer(List.of("pfctl", "-s", "info"), 0, "Status: Enabled\n")
                .answer(List.of("pfctl", "-s", "rules"), 0, "anchor \"nettydivert/*\" all\n")
                .answer(List.of("pfctl", "-s", "Interfaces"), 0, "lo0 (skip)\n");
        assertEquals(
                "pf skips lo0 ('set skip on lo' in /etc/pf.conf): remove that line while the contract runs",
                RealBsd.whyNot("OpenBSD", "true", "OpenBSD", true, true, skipping));
        RecordingRunner ready = new RecordingRunner()
                .answer(List.of("pfctl", "-s", "info"), 0, "Status: Enabled\n")
                .answer(List.of("pfctl", "-s", "rules"), 0, "anchor \"nettydivert/*\" all\n");
        assertEquals("", RealBsd.whyNot("OpenBSD", "true", "OpenBSD", true, true, ready));
        assertEquals(
                "the OpenBSD checks need root (pfctl, divert sockets): run ./mvnw -pl transport-divert -am"
                        + " -Pbsd-contract verify as root",
                RealBsd.whyNot("OpenBSD", "true", "OpenBSD", false, true, ready));
    }

    @Test
    void aReportLineIsTheVerdictTheCheckAndTheFirstLineOfTheReason() {
        assertEquals(
                "expected: <100> but was: <0>",
                BsdContractReport.firstLine(new AssertionError("expected: <100> but was: <0>\nmore")));
    }

    @Test
    void theNumbersTheRealBsdChecksUseArePinned() {
        // docs/ABI.md#bsd-test-networks: __FreeBSD_version 1400000 is 14.0 (sys/sys/param.h); ipfw
        // rule 100 is the tag; epair0a is 7 characters, all a FreeBSD read address keeps.
        assertEquals(1_400_000, FreeBsdKernelClausesTest.FREEBSD_14);
        assertEquals(100, RealBsdKernel.RULE);
        assertEquals(7, RealBsd.HERE_IF.length());
        assertEquals("nettydivert/contract", RealBsdKernel.ANCHOR);
    }

    @Test
    void theOneCommandsProfileRunsOnlyTheRealBsdClassesInAForkOfTheirOwn() throws Exception {
        // The README's command, ./mvnw -pl transport-divert -am -Pbsd-contract verify, rests on this.
        String pom = java.nio.file.Files.readString(java.nio.file.Path.of("pom.xml"));
        int profile = pom.indexOf("<id>bsd-contract</id>");
        assertTrue(profile > 0, "transport-divert/pom.xml has the bsd-contract profile");
        String defaults = pom.substring(0, pom.indexOf("<profiles>"));
        assertTrue(
                defaults.contains("<exclude>**/*BsdKernel*Test.java</exclude>"), "the default build leaves them out");
        String inProfile = pom.substring(profile);
        for (String line : List.of(
                "<excludes combine.self=\"override\"/>",
                "<include>**/*BsdKernel*Test.java</include>",
                "<forkCount>1</forkCount>",
                "<reuseForks>true</reuseForks>",
                "<nettydivert.bsdContract>true</nettydivert.bsdContract>")) {
            assertTrue(inProfile.contains(line), line);
        }
        assertEquals(RealBsd.PROPERTY, "nettydivert.bsdContract");
    }
}
