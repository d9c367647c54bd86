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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nettydivert.testkit.CommandResult;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.transport.DivertChannel;

/**
 * The transport as a named module binds a real queue: {@code ModulePathProbe} (transport-divert's
 * test-jar) runs in a JVM of its own, inside the test's isolated network, with the transport on
 * the module path. transport-divert's {@code ModulePathTest} checks what the module exports.
 */
class ModulePathKernelTest {
    /** The module path: the transport (its jar, or its classes), Netty and JNA, as this test JVM has them. */
    private static String modulePath() throws Exception {
        List<String> entries = new ArrayList<>();
        entries.add(location(DivertChannel.class).toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.matches("netty-(transport|buffer|common|resolver)-4.*\\.jar") || name.matches("jna-\\d.*\\.jar")) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Path location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    @IsolatedNetwork
    void onTheModulePathAChannelBindsAQueue(TestNetwork network) throws Exception {
        CommandResult result = network.host()
                .run(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--module-path",
                        modulePath(),
                        "--add-modules",
                        "org.nettydivert.transport",
                        "-cp",
                        location(ModulePathProbe.class).toString(),
                        ModulePathProbe.class.getName(),
                        "7");
        String out = result.stdout() + result.stderr();
        assertEquals(0, result.exitCode(), out);
        assertTrue(out.contains("bound DivertAddress(port 7)"), out);
    }
}
