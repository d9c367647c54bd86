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

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.nettydivert.bsdjail.CommandRunner;
import org.nettydivert.bsdjail.FreeBsdCommands;
import org.nettydivert.bsdjail.OpenBsdCommands;
import org.nettydivert.bsdjail.ProcessRunner;
import org.nettydivert.bsdjail.VnetSession;

/**
 * Where the real-BSD contract ({@code -Pbsd-contract}) can run, and its FreeBSD session: this JVM
 * in a VNET jail of its own ({@link VnetSession}), with a child jail {@code peer} at the other end
 * of {@code epair0} (here 10.99.0.1 and fd99::1, there 10.99.0.2 and fd99::2). Everything is
 * removed by the session's reaper when the JVM ends.
 */
final class RealBsd {
    /** Set by the bsd-contract profile: only then may a test JVM attach itself to a jail. */
    static final String PROPERTY = "nettydivert.bsdContract";

    static final String HERE_IF = "epair0a";
    static final String HERE4 = "10.99.0.1";
    static final String THERE4 = "10.99.0.2";
    static final String COMMAND = "./mvnw -pl transport-divert -am -Pbsd-contract verify";

    private static final CommandRunner RUNNER = new ProcessRunner(30_000);
    private static final Set<String> PRINTED = new HashSet<>();
    private static VnetSession session;

    private RealBsd() {}

    static CommandRunner runner() {
        return RUNNER;
    }

    static boolean root() {
        CommandRunner.Result id = RUNNER.run(List.of("id", "-u"));
        return id.succeeded() && id.out().strip().equals("0");
    }

    /**
     * Why the checks of {@code target} ("FreeBSD" or "OpenBSD") cannot run here, in one line, or
     * "" when they can. {@code needRoot} false is for the not-root checks, which need the opposite.
     */
    static String whyNot(
            String target, String property, String osName, boolean root, boolean needRoot, CommandRunner runner) {
        String notHere = whyNotHere(property, osName);
        if (!notHere.isEmpty()) {
            return notHere;
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (!os.startsWith(target.toLowerCase(Locale.ROOT))) {
            return target + "'s checks run on " + target + "; this is " + osName;
        }
        if (!needRoot) {
            return root ? "this check needs a normal user: run " + COMMAND + " once more as one" : "";
        }
        if (target.equals("FreeBSD")) {
            return VnetSession.whyUnavailable(osName, root, runner);
        }
        if (!root) {
            return "the OpenBSD checks need root (pfctl, divert sockets): run " + COMMAND + " as root";
        }
        if (!OpenBsdCommands.enabled(runner.run(OpenBsdCommands.info()).out())) {
            return "pf is disabled: pfctl -e";
        }
        if (!OpenBsdCommands.hooked(runner.run(OpenBsdCommands.mainRules()).out())) {
            return "the main pf ruleset lacks " + OpenBsdCommands.ANCHOR_HOOK
                    + ": add that line to /etc/pf.conf and run pfctl -f /etc/pf.conf";
        }
        if (OpenBsdCommands.skipped(runner.run(OpenBsdCommands.interfaces()).out(), "lo0")) {
            return "pf skips lo0 ('set skip on lo' in /etc/pf.conf): remove that line while the contract runs";
        }
        return "";
    }

    /** Why no real-BSD check can run here (not the profile, not a BSD), or "". */
    static String whyNotHere(String property, String osName) {
        if (!"true".equals(property)) {
            return "the real-BSD contract runs only as " + COMMAND;
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (!os.startsWith("freebsd") && !os.startsWith("openbsd")) {
            return "the real-BSD contract needs FreeBSD 14/15 or OpenBSD 7.8; this is " + osName;
        }
        return "";
    }

    /** Skips the calling class unless this is a BSD under the profile. */
    static void assumeBsd() {
        skipUnless(whyNotHere(System.getProperty(PROPERTY), System.getProperty("os.name", "")));
    }

    /** Skips the calling class unless {@code target}'s checks can run here; says why once per reason. */
    static void assume(String target, boolean needRoot) {
        skipUnless(whyNot(
                target, System.getProperty(PROPERTY), System.getProperty("os.name", ""), root(), needRoot, RUNNER));
    }

    private static void skipUnless(String why) {
        if (!why.isEmpty()) {
            synchronized (PRINTED) {
                if (PRINTED.add(why)) {
                    System.out.println("SKIP bsd-contract: " + why);
                }
            }
        }
        Assumptions.assumeTrue(why.isEmpty(), why);
    }

    /** The FreeBSD session with its peer, made at the first call (this JVM enters its jail then). */
    static synchronized VnetSession freeBsd() {
        if (session == null) {
            try {
                VnetSession s = VnetSession.enter("contract");
                peerPlan(s.takeEpairUnit()).apply(s.runner());
                session = s;
            } catch (RuntimeException | Error e) {
                // A class that fails in @BeforeAll gets no line per check: this one says why.
                System.out.println(
                        "FAIL bsd-contract: the FreeBSD session and its peer: " + BsdContractReport.firstLine(e));
                throw e;
            }
        }
        return session;
    }

    /** The peer jail over epair{@code unit}. */
    static org.nettydivert.bsdjail.Plan peerPlan(int unit) {
        return FreeBsdCommands.childOverEpair("peer", unit, HERE4 + "/24", "fd99::1/64", THERE4 + "/24", "fd99::2/64");
    }

    /** FreeBSD's {@code kern.osreldate} (1400000 and up: 14.x). */
    static int osreldate() {
        return Integer.parseInt(RUNNER.run(List.of("sysctl", "-n", "kern.osreldate"))
                .checked()
                .out()
                .strip());
    }
}
