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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nettydivert.testkit.IsolatedNetwork;

/**
 * Runs {@code example/demo.sh} as a newcomer would (after the jar is packaged) and checks that it
 * shows diverted UDP and TCP packets and leaves no network namespace behind.
 */
class DemoScriptIT {
    /** The demo makes its own namespace: the kit's network is here for its skip and its checks. */
    @Test
    @IsolatedNetwork
    void theDemoShowsDivertedPacketsAndCleansUp() throws Exception {
        Path script = Path.of("demo.sh").toAbsolutePath();
        Process demo = new ProcessBuilder("bash", script.toString())
                .redirectErrorStream(true)
                .start();
        String output;
        try {
            output = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(demo.waitFor(120, TimeUnit.SECONDS), "the demo finished");
        } finally {
            demo.destroyForcibly();
        }
        assertEquals(0, demo.exitValue(), output);
        assertTrue(output.contains("-> 127.0.0.1:7777 UDP len 38"), output);
        assertTrue(output.contains("-> 127.0.0.1:7777 TCP [S] len"), output);
        // The metadata dump asks for: the hook, the devices and the owner (the demo runs as root).
        assertTrue(output.contains("UDP len 38 LOCAL_OUT in - out lo uid 0 gid 0"), output);
        assertTrue(output.contains("traffic: TCP sent 'hello', received 'HELLO'"), output);
        assertTrue(output.matches("(?s).*dump: \\d+ packets.*"), output);
        String namespaces = new String(
                new ProcessBuilder("ip", "netns", "list")
                        .start()
                        .getInputStream()
                        .readAllBytes(),
                StandardCharsets.UTF_8);
        assertFalse(namespaces.contains("netty-divert-demo"), namespaces);
    }

    /**
     * Without the jar, demo.sh builds it first: that build must run no test suite (a newcomer
     * waits for the demo, not for the kernel tests, and a failing one would stop the demo).
     * Failsafe 3.6 no longer reads {@code -DskipTests}, so the arguments the script passes are
     * checked against Maven itself: failsafe must report that it skips the integration tests.
     */
    @Test
    @IsolatedNetwork // for its skip: demo.sh builds only as root, after its checks
    void theDemoBuildOfTheJarRunsNoTests(@TempDir Path tmp) throws Exception {
        // A copy of the script beside a stand-in mvnw that records its arguments and fails, so
        // that the script stops right after asking for the build.
        Files.createDirectories(tmp.resolve("example"));
        Files.copy(Path.of("demo.sh"), tmp.resolve("example/demo.sh"));
        Path fakeMvnw = tmp.resolve("mvnw");
        Files.writeString(fakeMvnw, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/mvnw-args\"\nexit 1\n");
        Files.setPosixFilePermissions(fakeMvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result demo = exec(tmp, "bash", tmp.resolve("example/demo.sh").toString());
        assertEquals(1, demo.exit, demo.output);
        assertTrue(demo.output.contains("demo.sh: the build failed"), demo.output);
        List<String> demoArgs = Files.readAllLines(tmp.resolve("mvnw-args"));
        assertTrue(demoArgs.contains("install"), demoArgs.toString());

        // The same options (goals aside, and without -q, which hides failsafe's report) with only
        // failsafe's goal, run on this project. NoSuchIT: should failsafe run, it finds nothing.
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> maven = new ArrayList<>(List.of(root.resolve("mvnw").toString()));
        demoArgs.stream().filter(a -> a.startsWith("-") && !a.equals("-q")).forEach(maven::add);
        maven.addAll(List.of(
                "-o",
                "-pl",
                "example",
                "-am",
                "failsafe:integration-test",
                "-Dit.test=NoSuchIT",
                "-Dfailsafe.failIfNoSpecifiedTests=false"));
        Result build = exec(root, maven.toArray(String[]::new));
        assertEquals(0, build.exit, build.output);
        assertTrue(build.output.contains("Tests are skipped."), build.output);
    }

    private static final class Result {
        int exit;
        String output;
    }

    private static Result exec(Path directory, String... command) throws Exception {
        Process p = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .start();
        Result result = new Result();
        try {
            result.output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", command));
        } finally {
            p.destroyForcibly();
        }
        result.exit = p.exitValue();
        return result;
    }
}
