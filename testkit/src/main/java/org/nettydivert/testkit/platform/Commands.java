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
package org.nettydivert.testkit.platform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.nettydivert.bsdjail.CommandRunner;
import org.nettydivert.bsdjail.ProcessRunner;
import org.nettydivert.testkit.CommandResult;

/** Runs external programs ({@code ip}, {@code iptables}, {@code nft}, {@code ipfw}). */
public final class Commands {
    /**
     * Where administration tools live. A non-root PATH often lacks the sbin directories, and
     * {@code ip}/{@code iptables} are there on Debian and most other distributions.
     */
    private static final List<String> EXTRA_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private Commands() {}

    /** Finds an executable on PATH or in the usual sbin/bin directories. */
    public static Optional<Path> which(String program) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    dirs.add(dir);
                }
            }
        }
        dirs.addAll(EXTRA_DIRS);
        for (String dir : dirs) {
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs a program to completion and collects both output streams (bsd-jail's runner, which the
     * FreeBSD platform uses too).
     *
     * @throws java.io.UncheckedIOException when the program cannot be started
     * @throws IllegalStateException when it outlives the timeout (it is then killed)
     */
    public static CommandResult run(List<String> argv, Duration timeout) {
        CommandRunner.Result r = new ProcessRunner(timeout.toMillis()).run(argv);
        return new CommandResult(r.argv(), r.exitCode(), r.out(), r.err());
    }
}
