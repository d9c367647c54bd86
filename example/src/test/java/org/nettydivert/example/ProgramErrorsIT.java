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
package org.nettydivert.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.testkit.linux.NetworkNamespace;

/**
 * The packaged programs, run as a user would inside an isolated network of their own: failures to start
 * are one line on stderr and exit code 1, without a stack trace.
 */
class ProgramErrorsIT {
    private static final Path JAR = Path.of("target/netty-divert-example.jar").toAbsolutePath();

    private static final class Run {
        int exit;
        String stderr;
    }

    private static Run run(Host host, List<String> prefix, String... args) throws Exception {
        return run(host, prefix, JAR, args);
    }

    private static Run run(Host host, List<String> prefix, Path jar, String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of("ip", "netns", "exec", NetworkNamespace.of(host).name()));
        command.addAll(prefix);
        // The JVM of the tests (CI runs them on 17 and 25), whose stderr must hold the one line
        // too: no restricted-method warning on Java 22+ (the jar's Enable-Native-Access entry).
        command.addAll(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(jar.getParent().toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Run run = new Run();
        run.stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        run.exit = p.exitValue();
        return run;
    }

    /**
     * A copy of the jar that any user can read: the build's own may be out of an unprivileged
     * user's reach (a clone under /root, mode 0700). Temporary directories are made 0700, and
     * the umask decides the rest, hence the explicit modes.
     */
    private static Path worldReadableJar(Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.copy(JAR, dir.resolve(JAR.getFileName()));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        return jar;
    }

    @Test
    @IsolatedNetwork
    void aQueueAlreadyTakenIsOneLineAndExit1(TestNetwork network) throws Exception {
        Host host = network.host();
        Channel holder = host.bind(7, new ChannelInboundHandlerAdapter());
        Run run = run(host, List.of(), "dump", "--port", "7");
        holder.close().sync();
        assertEquals(1, run.exit, run.stderr);
        assertEquals(1, run.stderr.lines().count(), run.stderr);
        assertTrue(run.stderr.startsWith("dump: cannot bind divert port 7:"), run.stderr);
        assertTrue(run.stderr.contains("NFQUEUE 7 is in use"), run.stderr);
    }

    /**
     * passthrough --channels 2 binds ports 7 and 8: when 8 is taken, it says so in one line, exits
     * 1, and lets go of 7, which can then be bound again.
     */
    @Test
    @IsolatedNetwork
    void aTakenSecondQueueOfSeveralChannelsIsOneLineAndExit1(TestNetwork network) throws Exception {
        Host host = network.host();
        Channel holder = host.bind(8, new ChannelInboundHandlerAdapter());
        Run run = run(host, List.of(), "passthrough", "--port", "7", "--channels", "2");
        holder.close().sync();
        assertEquals(1, run.exit, run.stderr);
        assertEquals(1, run.stderr.lines().count(), run.stderr);
        assertTrue(run.stderr.startsWith("passthrough: cannot bind divert port 8:"), run.stderr);
        host.bind(7, new ChannelInboundHandlerAdapter()).close().sync();
    }

    @Test
    @IsolatedNetwork
    void anUnprivilegedUserIsToldToBeRootInOneLine(TestNetwork network) throws Exception {
        Path dir = Files.createTempDirectory("netty-divert-example-");
        try {
            Run run = run(
                    network.host(),
                    List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                    worldReadableJar(dir),
                    "passthrough",
                    "--port",
                    "7");
            assertEquals(1, run.exit, run.stderr);
            assertEquals(1, run.stderr.lines().count(), run.stderr);
            assertTrue(run.stderr.contains("needs root or CAP_NET_ADMIN"), run.stderr);
        } finally {
            Files.deleteIfExists(dir.resolve(JAR.getFileName()));
            Files.delete(dir);
        }
    }
}
