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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * This JVM inside a FreeBSD VNET jail of its own, for the rest of its life.
 *
 * <p>Why the JVM and not a helper: a socket takes its network stack from the credential of the
 * process that makes it ({@code so->so_vnet = curvnet}, set from the thread's prison), and jail
 * membership is per process and one way (jail_attach(2)). A divert socket in the jail's stack, and
 * the UDP sockets that feed it, must therefore be made by a process in the jail. The test JVM
 * attaches itself, in a surefire fork used for nothing else ({@code reuseForks=false}), rather than
 * surefire starting java under jexec(8) through a wrapper script: everything stays in Java (no
 * shell between Maven and the JVM, no script to find on the path), and the setup and its order are
 * plain argv that tests check on any system.
 *
 * <p>Order: (outside) check the modules, sweep the jails of dead earlier runs, {@code jail -c} the
 * session jail with room for children, start the reaper, {@code jail_attach}; (inside) loopback up,
 * ipfw's closing {@code allow}. A jail cannot remove itself, so the reaper (a shell started before
 * the attach, still outside) waits for the JVM's end and runs {@code jail -r}, which also removes
 * the children, their processes and the epairs made inside (a cloned interface dies with the stack
 * it was made in). Hosts of a test's network are child jails, made and removed from inside with
 * {@code jail -c name=CHILD} and {@code jexec CHILD}.
 */
public final class VnetSession {
    /** Every session jail's name starts with this; then the role, a dash, and the JVM's pid. */
    public static final String PREFIX = "nettydivert-";

    /** How many child jails a session may hold at once. */
    static final int CHILDREN_MAX = 16;

    /** epair units 0..9 keep interface names at 7 characters, all FreeBSD puts in a sockaddr. */
    static final int EPAIR_UNITS = 10;

    /** Starts the reaper and keeps its standard input open for as long as this JVM runs. */
    @FunctionalInterface
    public interface ReaperStarter {
        /** Starts {@code argv} outside the jail, its stdin a pipe this JVM holds until it exits. */
        void start(List<String> argv) throws IOException;
    }

    /** Attaches this process to a jail. */
    @FunctionalInterface
    public interface Attacher {
        /** Attaches the calling process to the jail {@code jid}. */
        void attach(int jid);
    }

    private static final Object LOCK = new Object();
    private static VnetSession current;
    private static Throwable failure;
    /** The reaper's process, held so that its stdin pipe stays open (a collected one would close). */
    private static final List<Process> REAPERS = new ArrayList<>();

    private final String name;
    private final CommandRunner runner;
    private final BitSet epairUnits = new BitSet(EPAIR_UNITS);
    private final List<String> swept;

    private VnetSession(String name, CommandRunner runner, List<String> swept) {
        this.name = name;
        this.runner = runner;
        this.swept = List.copyOf(swept);
    }

    /** The session jail's name for {@code role} in the process {@code pid}. */
    public static String jailName(String role, long pid) {
        return PREFIX + role + "-" + pid;
    }

    /**
     * The plan run outside the jail before the attach: the session jail. Its jid, the reaper and the
     * attach follow ({@link #open}).
     */
    public static Plan outsidePlan(String name) {
        return new Plan().step(FreeBsdCommands.jailCreate(name, CHILDREN_MAX), FreeBsdCommands.jailRemove(name));
    }

    /** The plan run inside the jail right after the attach. */
    public static Plan insidePlan() {
        Plan plan = new Plan();
        for (List<String> argv : FreeBsdCommands.loopbackUp()) {
            plan.step(argv);
        }
        return plan.step(FreeBsdCommands.ipfwAllowAll(FreeBsdCommands.ALLOW_RULE));
    }

    /**
     * The top-level session jails, by {@code jls name}'s output, whose JVM is gone: {@code
     * nettydivert-ROLE-PID} with a pid for which {@code alive} says false.
     */
    public static List<String> deadSessions(String jlsNames, LongPredicate alive) {
        List<String> dead = new ArrayList<>();
        for (String line : jlsNames.split("\n")) {
            String jail = line.strip();
            if (!jail.startsWith(PREFIX) || jail.indexOf('.') >= 0) {
                continue;
            }
            int dash = jail.lastIndexOf('-');
            long pid;
            try {
                pid = Long.parseLong(jail.substring(dash + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            if (dash > PREFIX.length() && !alive.test(pid)) {
                dead.add(jail);
            }
        }
        return dead;
    }

    /**
     * Removes the session jails whose JVM is gone (a reaper killed with its JVM, a machine that
     * lost power mid-run), before this JVM makes its own. Works only outside a jail.
     *
     * @return the names removed
     */
    public static List<String> sweep(CommandRunner runner, LongPredicate alive) {
        CommandRunner.Result names = runner.run(FreeBsdCommands.jailNames());
        if (!names.succeeded()) {
            return List.of();
        }
        List<String> removed = new ArrayList<>();
        for (String jail : deadSessions(names.out(), alive)) {
            if (runner.run(FreeBsdCommands.jailRemove(jail)).succeeded()) {
                removed.add(jail);
            }
        }
        return removed;
    }

    /**
     * Why a session cannot be made here, in one line with the fix, or "" when it can: not FreeBSD,
     * not root, or ipfw/ipdivert not in the kernel.
     */
    public static String whyUnavailable(String osName, boolean root, CommandRunner runner) {
        if (!osName.toLowerCase(java.util.Locale.ROOT).startsWith("freebsd")) {
            return "VNET jails need FreeBSD; this is " + osName;
        }
        if (!root) {
            return "VNET jails need root (jail -c, jail_attach): run the tests as root";
        }
        for (String module : List.of("ipfw", "ipdivert")) {
            if (!runner.run(FreeBsdCommands.kldstat(module)).succeeded()) {
                return module + " is not in the kernel: kldload ipfw ipdivert (set"
                        + " net.inet.ip.fw.default_to_accept=1 in /boot/loader.conf first, or ipfw's default deny"
                        + " cuts the host off)";
            }
        }
        return "";
    }

    /**
     * This JVM's session, made and entered at the first call for {@code role}; later calls return
     * it. Not reversible: call it only in a JVM used for nothing else.
     *
     * @throws IllegalStateException when this JVM already entered a session for another role
     */
    public static VnetSession enter(
            String role, CommandRunner runner, ReaperStarter reaper, Attacher attacher, LongPredicate alive) {
        synchronized (LOCK) {
            String name = jailName(role, ProcessHandle.current().pid());
            if (current != null) {
                if (!current.name.equals(name)) {
                    throw new IllegalStateException("this JVM is already in " + current.name + ": it cannot also enter "
                            + name + " (a process joins one jail, once)");
                }
                return current;
            }
            if (failure != null) {
                // A second try could run inside a half-made session (the attach is for good).
                throw new IllegalStateException("the session " + name + " could not be made: " + failure, failure);
            }
            try {
                current = open(name, runner, reaper, attacher, alive);
            } catch (RuntimeException | Error e) {
                failure = e;
                throw e;
            }
            return current;
        }
    }

    /**
     * Makes and enters the session jail {@code name}: the sweep, {@link #outsidePlan}, the reaper,
     * the attach, {@link #insidePlan}. When a step before the attach fails, what was made is removed
     * before the failure propagates; after the attach, removal is the reaper's.
     */
    public static VnetSession open(
            String name, CommandRunner runner, ReaperStarter reaper, Attacher attacher, LongPredicate alive) {
        List<String> swept = sweep(runner, alive);
        Plan.Applied outside = outsidePlan(name).apply(runner);
        int jid;
        try {
            jid = Integer.parseInt(
                    runner.run(FreeBsdCommands.jid(name)).checked().out().strip());
            reaper.start(FreeBsdCommands.reaper(name));
        } catch (IOException | RuntimeException e) {
            outside.undo();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("starting the reaper of " + name, io);
            }
            throw (RuntimeException) e;
        }
        try {
            attacher.attach(jid);
        } catch (RuntimeException e) {
            outside.undo(); // still outside: remove it now rather than at exit
            throw e;
        }
        // From here on the jail is the reaper's to remove: this process cannot.
        insidePlan().apply(runner);
        return new VnetSession(name, runner, swept);
    }

    /** {@link #enter} with real processes, the real jail_attach(2), and the JDK's idea of liveness. */
    public static VnetSession enter(String role) {
        CommandRunner runner = new ProcessRunner(30_000);
        return enter(
                role,
                runner,
                argv -> {
                    List<String> command = new ArrayList<>(argv);
                    Process p = new ProcessBuilder(command)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
                    synchronized (REAPERS) {
                        REAPERS.add(p);
                    }
                },
                jid -> {
                    if (JailLibc.jail_attach(jid) != 0) {
                        throw new IllegalStateException("jail_attach(" + jid + ") failed");
                    }
                    // The attach moved the working directory to the jail's root, / here. Going back
                    // is a courtesy to relative paths: the attach itself has succeeded either way.
                    try {
                        JailLibc.chdir(System.getProperty("user.dir"));
                    } catch (com.sun.jna.LastErrorException e) {
                        System.err.println("netty-divert: staying in / after jail_attach: " + e.getMessage());
                    }
                },
                pid -> ProcessHandle.of(pid).isPresent());
    }

    /** The session jail's name. */
    public String name() {
        return name;
    }

    /** The runner of commands inside the session jail. */
    public CommandRunner runner() {
        return runner;
    }

    /** The jails of dead earlier runs removed before this session was made. */
    public List<String> swept() {
        return swept;
    }

    /**
     * Takes the lowest free epair unit of this session's stack.
     *
     * @throws IllegalStateException when all {@value #EPAIR_UNITS} are in use
     */
    public synchronized int takeEpairUnit() {
        int unit = epairUnits.nextClearBit(0);
        if (unit >= EPAIR_UNITS) {
            throw new IllegalStateException("all " + EPAIR_UNITS + " epair units of " + name + " are in use");
        }
        epairUnits.set(unit);
        return unit;
    }

    /** Gives back an epair unit once its epair is destroyed. */
    public synchronized void releaseEpairUnit(int unit) {
        epairUnits.clear(unit);
    }

    @Override
    public String toString() {
        return "the VNET jail " + name;
    }
}
