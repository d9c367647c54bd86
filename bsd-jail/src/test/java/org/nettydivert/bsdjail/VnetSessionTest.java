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

/**
 * The session's order, on a recording runner: sweep, create, jid, reaper, attach, then the inside
 * steps; and what is removed when a step fails.
 */
class VnetSessionTest {
    private static final String NAME = "nettydivert-contract-42";

    private static VnetSession open(RecordingRunner runner) {
        return VnetSession.open(
                NAME,
                runner,
                argv -> runner.note("reaper " + String.join(" ", argv)),
                jid -> runner.note("attach " + jid),
                pid -> pid == 42 || pid == 7);
    }

    @Test
    void aSessionSweepsTheDeadThenMakesItsJailStartsTheReaperAttachesAndOpensItsStack() {
        RecordingRunner runner = new RecordingRunner()
                .answer(
                        List.of("jls", "name"),
                        0,
                        "nettydivert-testkit-7\nnettydivert-contract-13\n" + "nettydivert-contract-13.peer\nwww\n")
                .answer(List.of("jls", "-j", NAME, "jid"), 0, "5\n");
        VnetSession session = open(runner);
        assertEquals(
                List.of(
                        "jls name",
                        "jail -r nettydivert-contract-13",
                        "jail -c name=" + NAME + " path=/ vnet persist children.max=16 host.hostname=" + NAME,
                        "jls -j " + NAME + " jid",
                        "# reaper /bin/sh -c cat >/dev/null; exec /usr/sbin/jail -r \"$0\" " + NAME,
                        "# attach 5",
                        "ifconfig lo0 inet 127.0.0.1/8 up",
                        "ifconfig lo0 inet6 -ifdisabled no_dad",
                        "ipfw -q add 65000 allow ip from any to any"),
                runner.log());
        assertEquals(List.of("nettydivert-contract-13"), session.swept());
        assertEquals(NAME, session.name());
    }

    @Test
    void aJailWhoseIdCannotBeReadIsRemovedBeforeTheFailurePropagates() {
        RecordingRunner runner = new RecordingRunner().answer(List.of("jls", "-j"), 1, "");
        assertThrows(CommandFailedException.class, () -> open(runner));
        assertEquals(
                List.of(
                        "jls name",
                        "jail -c name=" + NAME + " path=/ vnet persist children.max=16 host.hostname=" + NAME,
                        "jls -j " + NAME + " jid",
                        "jail -r " + NAME),
                runner.log());
    }

    @Test
    void aFailedAttachRemovesTheJailAtOnce() {
        RecordingRunner runner = new RecordingRunner().answer(List.of("jls", "-j"), 0, "5");
        assertThrows(
                IllegalStateException.class,
                () -> VnetSession.open(
                        NAME,
                        runner,
                        argv -> runner.note("reaper"),
                        jid -> {
                            throw new IllegalStateException("EPERM");
                        },
                        pid -> true));
        assertEquals("jail -r " + NAME, runner.log().get(runner.log().size() - 1));
    }

    @Test
    void onlyTopLevelSessionJailsOfDeadProcessesAreSwept() {
        assertEquals(
                List.of("nettydivert-testkit-99"),
                VnetSession.deadSessions(
                        "nettydivert-testkit-99\nnettydivert-testkit-99.b\nnettydivert-testkit-7\nnettydivert-x\n"
                                + "nettydivert--\nmyjail\n",
                        pid -> pid == 7));
        assertEquals("nettydivert-testkit-7", VnetSession.jailName("testkit", 7));
    }

    @Test
    void epairUnitsStayBelowTenSoThatNamesFitSevenCharacters() {
        VnetSession session = open(new RecordingRunner().answer(List.of("jls", "-j"), 0, "5"));
        for (int i = 0; i < 10; i++) {
            assertEquals(i, session.takeEpairUnit());
        }
        assertThrows(IllegalStateException.class, session::takeEpairUnit);
        session.releaseEpairUnit(3);
        assertEquals(3, session.takeEpairUnit());
    }

    @Test
    void theReasonsNotToTryAreOneLineEach() {
        RecordingRunner none = new RecordingRunner().answer(List.of("kldstat", "-q", "-m", "ipdivert"), 1, "");
        assertEquals("VNET jails need FreeBSD; this is Linux", VnetSession.whyUnavailable("Linux", true, none));
        assertEquals(
                "VNET jails need root (jail -c, jail_attach): run the tests as root",
                VnetSession.whyUnavailable("FreeBSD", false, none));
        assertEquals(
                "ipdivert is not in the kernel: kldload ipfw ipdivert (set net.inet.ip.fw.default_to_accept=1 in"
                        + " /boot/loader.conf first, or ipfw's default deny cuts the host off)",
                VnetSession.whyUnavailable("FreeBSD", true, none));
        assertEquals("", VnetSession.whyUnavailable("FreeBSD", true, new RecordingRunner()));
    }

    @Test
    void jailAttachIsBoundAsIntOfInt() throws Exception {
        // kern_jail.c: int jail_attach(int jid). The class is not initialised here (that would load
        // libc's symbol, which Linux lacks): the declaration is what is pinned.
        Class<?> libc = Class.forName(
                "org.nettydivert.bsdjail.JailLibc", false, getClass().getClassLoader());
        java.lang.reflect.Method attach = libc.getDeclaredMethod("jail_attach", int.class);
        assertEquals(int.class, attach.getReturnType());
        assertEquals(int.class, libc.getDeclaredMethod("chdir", String.class).getReturnType());
        assertEquals(16, VnetSession.CHILDREN_MAX);
        assertEquals("nettydivert-", VnetSession.PREFIX);
        assertEquals(65000, FreeBsdCommands.ALLOW_RULE);
    }
}
