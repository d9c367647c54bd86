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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nettydivert.codec.ip.PcapWriter;

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

    /** Exit code 2 and one line on stderr that starts with the name of what was run. */
    private void assertUsageError(String expected, String... args) {
        assertEquals(2, run(args), err());
        String message = err();
        assertEquals(1, message.lines().count(), "one line: " + message);
        assertTrue(
                message.matches("(netty-divert-example|dump|passthrough|rewrite-port|drop|replay|traffic): .*\\R"),
                message);
        assertTrue(message.contains(expected), message);
    }

    /** A usage error that is exactly {@code line}. */
    private void assertUsageLine(String line, String... args) {
        assertUsageError(line, args);
        assertEquals(line, err().strip());
    }

    @Test
    void noArgumentsPrintsUsageAndExits2() {
        assertEquals(2, run());
        assertTrue(err().startsWith("usage: java -jar netty-divert-example.jar COMMAND"), err());
    }

    @Test
    void helpPrintsUsageAndExits0() {
        assertEquals(0, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        // picocli's generated help: the command list, the exit codes, completion.
        for (String expected : new String[] {"rewrite-port", "replay", "Exit codes: 0 done", "completion"}) {
            assertTrue(help.contains(expected), help);
        }
    }

    @Test
    void versionNamesTheProgram() {
        assertEquals(0, run("--version"));
        // From the jar's manifest; run from classes, the version is unknown and says so.
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("netty-divert-example "), out.toString());
    }

    @Test
    void completionPrintsABashScriptWithEveryCommand() {
        assertEquals(0, run("completion"));
        String script = out.toString(StandardCharsets.UTF_8);
        assertTrue(script.startsWith("#!/usr/bin/env bash"), script);
        assertTrue(script.contains("complete -F"), script);
        for (String command : new String[] {"dump", "passthrough", "rewrite-port", "drop", "replay", "traffic"}) {
            assertTrue(script.contains(command), command);
        }
        assertTrue(script.contains("--dst-port"), "options too");
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
        assertUsageLine("netty-divert-example: unknown command 'frobnicate' (see --help)", "frobnicate");
    }

    @Test
    void helpOfAnUnknownCommandIsAUsageError() {
        assertUsageLine("netty-divert-example: unknown command 'frobnicate' (see --help)", "frobnicate", "--help");
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertUsageError("dump: unknown option --colour", "dump", "--port", "7", "--colour");
    }

    @Test
    void dumpWriteOptionsAreChecked() {
        assertUsageLine("dump: --format needs --write FILE", "dump", "--port", "7", "--format", "pcapng");
        err.reset();
        assertUsageLine(
                "dump: --format must be pcap or pcapng, not 'erf'",
                "dump",
                "--port",
                "7",
                "--write",
                "x.erf",
                "--format",
                "erf");
    }

    @Test
    void missingPortIsAUsageError() {
        assertUsageError("passthrough: --port is required", "passthrough");
    }

    @Test
    void badChannelCountsAreUsageErrors() {
        assertUsageLine(
                "passthrough: --channels must be a number from 1 to 256, not '0'",
                "passthrough",
                "--port",
                "7",
                "--channels",
                "0");
        err.reset();
        assertUsageLine(
                "passthrough: --channels must be a number from 1 to 256, not 'two'",
                "passthrough",
                "--port",
                "7",
                "--channels",
                "two");
        err.reset();
        assertUsageLine(
                "passthrough: --channels 2 from --port 65535 goes past port 65535 (at most 1)",
                "passthrough",
                "--port",
                "65535",
                "--channels",
                "2");
        err.reset();
        assertUsageLine("passthrough: --channels needs a value", "passthrough", "--port", "7", "--channels");
    }

    @Test
    void passthroughHelpTellsOfChannels() {
        assertEquals(0, run("passthrough", "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("passthrough --port N [--channels C] [--stats]"), help);
        assertTrue(help.contains("--queue-balance N:N+C-1"), help);
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
        assertUsageLine(
                "drop: --src: bad prefix length in '10.0.0.0/40': 0..32",
                "drop",
                "--port",
                "7",
                "--proto",
                "udp",
                "--src",
                "10.0.0.0/40");
    }

    @Test
    void sourceThatIsNoAddressIsAUsageError() {
        assertUsageLine(
                "drop: --src: not an IP address literal: 'example.org' (expected e.g. 10.0.0.0/8)",
                "drop",
                "--port",
                "7",
                "--proto",
                "udp",
                "--src",
                "example.org");
    }

    @Test
    void rewritePortNeedsBothPorts() {
        assertUsageError("rewrite-port: --to is required", "rewrite-port", "--port", "7", "--from", "80");
    }

    @Test
    void strayWordIsAUsageError() {
        assertUsageError("dump: unexpected 'now'", "dump", "--port", "7", "now");
    }

    /** Replay's errors, its pipeline's included, start with "replay: ". */
    @Nested
    class ReplayErrors {
        @TempDir
        Path tmp;

        private String[] replay(String out, String... rest) throws Exception {
            Path in = tmp.resolve("in.pcap");
            if (!Files.exists(in)) {
                new PcapWriter(Files.newOutputStream(in)).close();
            }
            List<String> args = new ArrayList<>(List.of("replay", "--in", in.toString(), "--out", out));
            args.addAll(List.of(rest));
            return args.toArray(String[]::new);
        }

        private String out() {
            return tmp.resolve("out.pcap").toString();
        }

        @Test
        void badSourceRange() throws Exception {
            assertUsageLine(
                    "replay: drop: --src: bad prefix length in '10.0.0.0/40': 0..32",
                    replay(out(), "drop", "--proto", "udp", "--src", "10.0.0.0/40"));
        }

        @Test
        void badPipelineOption() throws Exception {
            assertUsageLine(
                    "replay: drop: --proto must be tcp, udp or icmp, not 'sctp'",
                    replay(out(), "drop", "--proto", "sctp"));
            err.reset();
            assertUsageLine("replay: rewrite-port: --to is required", replay(out(), "rewrite-port", "--from", "80"));
        }

        @Test
        void helpAfterThePipeline() throws Exception {
            assertUsageLine(
                    "replay: drop: no --help here (see replay --help and drop --help)",
                    replay(out(), "drop", "--help"));
        }

        @Test
        void divertPortOffline() throws Exception {
            assertUsageLine(
                    "replay: drop: no --port offline (the packets come from --in)",
                    replay(out(), "drop", "--port", "7", "--proto", "udp"));
        }

        @Test
        void badLocalRange() throws Exception {
            assertUsageLine(
                    "replay: --local: bad prefix length in '10.0.0.0/x': 0..32",
                    replay(out(), "--local", "10.0.0.0/x", "drop", "--proto", "udp"));
        }

        @Test
        void outputInAMissingDirectory() throws Exception {
            Path out = tmp.resolve("nowhere/out.pcap");
            assertUsageLine(
                    "replay: cannot write " + out + ": no directory " + out.getParent(),
                    replay(out.toString(), "drop", "--proto", "udp"));
        }

        @Test
        void directoriesAreNoCaptures() throws Exception {
            assertUsageLine(
                    "replay: --out " + tmp + " is a directory", replay(tmp.toString(), "drop", "--proto", "udp"));
            err.reset();
            assertUsageLine(
                    "replay: --in " + tmp + " is a directory",
                    "replay",
                    "--in",
                    tmp.toString(),
                    "--out",
                    out(),
                    "drop",
                    "--proto",
                    "udp");
        }

        /** A failure to write, not a usage error: still one line, with the file and the reason. */
        @Test
        void outputThroughALinkToAMissingDirectory() throws Exception {
            Path link = Files.createSymbolicLink(tmp.resolve("out.pcap"), Path.of("nowhere/out.pcap"));
            assertEquals(1, run(replay(link.toString(), "drop", "--proto", "udp")), err());
            String message = err().strip();
            assertEquals(1, message.lines().count(), message);
            assertTrue(message.startsWith("replay: " + tmp.resolve("nowhere") + "/"), message);
            assertTrue(message.endsWith(": no such file or directory"), message);
        }
    }
}
