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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The command line: help, and bad arguments as one line and exit code 2. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                Arrays.asList(args),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private void assertUsageError(String expected, String... args) {
        assertEquals(2, run(args), err());
        String message = err();
        assertEquals(1, message.lines().count(), "one line: " + message);
        assertTrue(message.contains(expected), message);
    }

    @Test
    void noArgumentsPrintsUsageAndExits2() {
        assertEquals(2, run());
        assertTrue(err().startsWith("usage: java -jar netty-divert-example.jar COMMAND"), err());
    }

    @Test
    void helpPrintsUsageAndExits0() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("rewrite-port --port N --from A --to B"));
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"dump", "passthrough", "rewrite-port", "drop", "replay", "traffic"}) {
            out.reset();
            assertEquals(0, run(command, "--help"), command);
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: " + command), command);
        }
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertUsageError("unknown command 'frobnicate'", "frobnicate");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertUsageError("dump: unknown option --colour", "dump", "--port", "7", "--colour");
    }

    @Test
    void missingPortIsAUsageError() {
        assertUsageError("passthrough: --port is required", "passthrough");
    }

    @Test
    void portOutOfRangeIsAUsageError() {
        assertUsageError("--port must be a number from 0 to 65535, not '70000'", "dump", "--port", "70000");
    }

    @Test
    void optionWithoutValueIsAUsageError() {
        assertUsageError("dump: --count needs a value", "dump", "--port", "7", "--count");
    }

    @Test
    void unknownProtocolIsAUsageError() {
        assertUsageError("--proto must be tcp, udp or icmp, not 'sctp'", "drop", "--port", "7", "--proto", "sctp");
    }

    @Test
    void badSourceRangeIsAUsageError() {
        assertUsageError(
                "bad prefix length in '10.0.0.0/33'", "drop", "--port", "7", "--proto", "udp", "--src", "10.0.0.0/33");
    }

    @Test
    void rewritePortNeedsBothPorts() {
        assertUsageError("rewrite-port: --to is required", "rewrite-port", "--port", "7", "--from", "80");
    }

    @Test
    void strayWordIsAUsageError() {
        assertUsageError("dump: unexpected 'now'", "dump", "--port", "7", "now");
    }
}
