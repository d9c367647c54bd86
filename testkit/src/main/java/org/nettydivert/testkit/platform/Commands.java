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

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
     * Runs a program to completion and collects both output streams.
     *
     * <p>stderr is drained on a second thread: a program that fills the stderr pipe while we
     * block reading stdout would otherwise deadlock with us.
     *
     * @throws UncheckedIOException when the program cannot be started
     * @throws IllegalStateException when it outlives the timeout (it is then killed)
     */
    public static CommandResult run(List<String> argv, Duration timeout) {
        List<String> command = new ArrayList<>(argv);
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        }
        StreamCollector err = new StreamCollector(process.getErrorStream());
        Thread errThread = new Thread(err, "stderr of " + command.get(0));
        errThread.setDaemon(true);
        errThread.start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            errThread.join(timeout.toMillis());
            return new CommandResult(List.copyOf(command), process.exitValue(), out, err.text());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the output of " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            // Close our ends of the pipes explicitly: waiting for the Process to be collected
            // would keep three descriptors per command open and hide real leaks in fd counts.
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
            closeQuietly(process.getOutputStream());
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the process is finished and we have its output.
        }
    }

    private static final class StreamCollector implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        StreamCollector(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            try {
                in.transferTo(bytes);
            } catch (IOException ignored) {
                // The stream was closed under us (timeout); what we have is what there is.
            }
        }

        String text() {
            // Called after join(), or after a timeout, when ByteArrayOutputStream's own locking
            // still gives a consistent snapshot.
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
