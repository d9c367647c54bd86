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

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.nettydivert.bsdjail.CommandRunner;
import org.nettydivert.bsdjail.ProcessRunner;
import org.nettydivert.bsdjail.VnetSession;
import org.nettydivert.testkit.Topology;
import org.nettydivert.testkit.platform.ManagedNetwork;
import org.nettydivert.testkit.platform.Platform;

/**
 * Isolated networks on FreeBSD: VNET jails, epairs and ipfw. The first network a JVM makes puts the
 * JVM into a VNET jail of its own for the rest of its life ({@link VnetSession}); run the kit's
 * tests in a surefire fork that runs nothing else.
 */
public final class FreeBsdPlatform implements Platform {
    /** The session role: jails are named {@code nettydivert-testkit-PID}. */
    static final String ROLE = "testkit";

    /** The one instance, on real processes and the real jail_attach(2). */
    public static final FreeBsdPlatform INSTANCE = new FreeBsdPlatform(
            new ProcessRunner(30_000),
            () -> VnetSession.enter(ROLE),
            System.getProperty("os.name", ""),
            FreeBsdPlatform::root);

    private final CommandRunner runner;
    private final Supplier<VnetSession> session;
    private final String osName;
    private final BooleanSupplier root;

    /** A platform on {@code runner}, entering {@code session} at its first network. */
    FreeBsdPlatform(CommandRunner runner, Supplier<VnetSession> session, String osName, BooleanSupplier root) {
        this.runner = runner;
        this.session = session;
        this.osName = osName;
        this.root = root;
    }

    private static boolean root() {
        CommandRunner.Result id = new ProcessRunner(10_000).run(List.of("id", "-u"));
        return id.succeeded() && id.out().strip().equals("0");
    }

    @Override
    public String name() {
        return "freebsd";
    }

    @Override
    public String whyUnavailable() {
        return VnetSession.whyUnavailable(osName, root.getAsBoolean(), runner);
    }

    @Override
    public ManagedNetwork create(Topology topology) {
        return FreeBsdNetwork.create(topology, session.get());
    }

    /** Removes the session jails ({@code nettydivert-*-PID}) of JVMs that are gone. */
    @Override
    public List<String> sweep() {
        return VnetSession.sweep(runner, pid -> ProcessHandle.of(pid).isPresent());
    }
}
