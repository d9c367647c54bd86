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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nettydivert.testing.NetworkNamespace;

/**
 * Runs {@code example/demo.sh} as a newcomer would (after the jar is packaged) and checks that it
 * shows diverted UDP and TCP packets and leaves no network namespace behind.
 */
class DemoScriptIT {
    @Test
    void theDemoShowsDivertedPacketsAndCleansUp() throws Exception {
        NetworkNamespace.assumeKernelTestsCanRun();
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
}
