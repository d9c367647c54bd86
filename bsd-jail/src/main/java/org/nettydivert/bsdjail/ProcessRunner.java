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

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands as processes. The BSDs keep {@code ifconfig}, {@code ipfw}, {@code pfctl} in
 * /sbin and {@code jail}, {@code jexec}, {@code jls} in /usr/sbin, which a non-login PATH (a
 * build's) may lack, so a bare program name is looked up there first.
 */
public final class ProcessRunner implements CommandRunner {
    /** The system directories a bare program name is looked up in, in order. */
    static final List<String> SYSTEM_DIRS = List.of("/sbin", "/usr/sbin", "/bin", "/usr/bin");

    private final long timeoutMillis;

    /** A runner that kills a command after {@code timeoutMillis}. */
    public ProcessRunner(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Result run(List<String> argv) {
        List<String> command = new ArrayList<>(argv);
        command.set(0, resolve(command.get(0)));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", argv), e);
        }
        Drain err = new Drain(process.getErrorStream());
        Thread errThread = new Thread(err, "stderr of " + argv.get(0));
        errThread.setDaemon(true);
        errThread.start();
        try (InputStream in = process.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish in " + timeoutMillis + " ms");
            }
            errThread.join(timeoutMillis);
            return new Result(argv, process.exitValue(), out, err.text());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the output of " + String.join(" ", argv), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        }
    }

    /** The path of {@code program}: itself when it has a slash or is not in a system directory. */
    static String resolve(String program) {
        if (program.indexOf('/') >= 0) {
            return program;
        }
        for (String dir : SYSTEM_DIRS) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return program;
    }

    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Drain(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            try (in) {
                in.transferTo(bytes);
            } catch (IOException ignored) {
                // Closed under us after a timeout: what came is what there is.
            }
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
