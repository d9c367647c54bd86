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
package org.nettydivert.testing.modulepath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The transport as a named module: only the API package is exported, and JNA binds the
 * internal packages' native methods there too. The tests themselves run on the class path. That
 * a channel binds a real queue from the module path is the testsuite module's {@code
 * ModulePathKernelTest}.
 */
class ModulePathTest {
    /** The module path: the transport's classes, Netty and JNA, as this test JVM has them. */
    private static String modulePath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (entry.endsWith("target" + File.separator + "classes")
                    || name.matches("netty-(transport|buffer|common|resolver)-4.*\\.jar")
                    || name.matches("jna-\\d.*\\.jar")) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static List<String> probe(String... prefix) throws Exception {
        String testClasses = Path.of(ModulePathProbe.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        List<String> command = new ArrayList<>(List.of(prefix));
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path",
                modulePath(),
                "--add-modules",
                "org.nettydivert.transport",
                "-cp",
                testClasses,
                ModulePathProbe.class.getName()));
        return command;
    }

    private static String run(List<String> command) throws Exception {
        Path output = Files.createTempFile("module-path-probe", ".txt");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void theModuleExportsOnlyTheApiPackage() throws Exception {
        String out = run(probe());
        assertTrue(out.contains("module org.nettydivert.transport\n"), out);
        assertTrue(out.contains("exports [org.nettydivert.transport]\n"), out);
        assertTrue(out.contains("available true\n"), out);
    }
}
