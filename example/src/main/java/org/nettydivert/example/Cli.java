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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The command line, declared for picocli: one class per command, its options as fields. Numbers
 * are taken as text and checked by {@link Main#integer}, so that every error is one line in the
 * programs' own words ("dump: --port must be a number from 0 to 65535, not '70000'").
 */
final class Cli {
    private Cli() {}

    static final String EXIT_CODES = "Exit codes: 0 done, 1 could not run (privileges, kernel support, port taken,"
            + " files), 2 bad arguments.";

    /** The program: no command prints the usage and exits 2. */
    @Command(
            name = Main.PROGRAM,
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            synopsisHeading = "",
            customSynopsis = "usage: java -jar netty-divert-example.jar COMMAND [options]",
            description = {
                "",
                "The example divert programs. --port is the divert port: ipfw 'divert N', pf",
                "'divert-packet port N', or the Linux NFQUEUE number ('-j NFQUEUE --queue-num N')."
            },
            commandListHeading = "%nCommands:%n",
            footer = {
                "",
                "COMMAND --help prints a command's help; --debug anywhere adds stack traces to errors.",
                "Every error is one line starting with the command's name. " + EXIT_CODES,
                "Bash completion: source <(java -jar netty-divert-example.jar completion)"
            })
    static final class Program implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return 2;
        }
    }

    /** The version of the jar, from its manifest (Implementation-Version, put there by the build). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                Main.PROGRAM + " " + (version == null ? "(version unknown: not run from the jar)" : version)
            };
        }
    }

    /** What every command has: {@code -h}/{@code --help}, and its usage line as written. */
    abstract static class Base implements Callable<Integer> {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "print this help and exit")
        boolean help;

        /** Where to print, and whether to add stack traces; set before the command runs. */
        Main.Io io;
    }

    @Command(
            name = "dump",
            synopsisHeading = "usage: ",
            customSynopsis = "dump --port N [--count K] [--hex] [--write FILE [--format pcap|pcapng]]",
            description = {
                "print each diverted packet and reinject it",
                "",
                "Prints each packet diverted to port N (direction, interface, src:sport -> dst:dport,",
                "protocol, length; on Linux also the hook, in and out devices, the owner as uid N gid N",
                "and the conntrack state as the kernel names it, such as IP_CT_NEW, where known)",
                "and reinjects it unchanged. --write also saves each diverted datagram, as tcpdump -w",
                "does: raw IP link type, readable by Wireshark, tcpdump and replay."
            })
    static final class Dump extends Base {
        @Option(names = "--port", required = true, paramLabel = "N", description = "the divert port")
        String port;

        @Option(names = "--count", paramLabel = "K", description = "exit after K packets")
        String count;

        @Option(names = "--hex", description = "add the first 40 bytes in hex")
        boolean hex;

        @Option(names = "--write", paramLabel = "FILE", description = "also save each diverted datagram to FILE")
        String write;

        @Option(
                names = "--format",
                paramLabel = "pcap|pcapng",
                description = "FILE's format (default: pcapng if FILE ends in .pcapng, else pcap)")
        String format;

        @Override
        public Integer call() throws Exception {
            return Main.dump(this);
        }
    }

    @Command(
            name = "passthrough",
            synopsisHeading = "usage: ",
            customSynopsis = "passthrough --port N [--channels C] [--stats]",
            description = {
                "reinject everything as fast as possible",
                "",
                "Reinjects every packet diverted to port N as fast as it can; the totals are printed",
                "on exit (Ctrl-C, SIGTERM). --channels C binds ports N to N+C-1 instead, one channel",
                "and one event loop thread each (Linux: '-j NFQUEUE --queue-balance N:N+C-1'); the",
                "totals and --stats are summed over the channels."
            })
    static final class Passthrough extends Base {
        @Option(names = "--port", required = true, paramLabel = "N", description = "the divert port")
        String port;

        @Option(
                names = "--channels",
                paramLabel = "C",
                description = "bind ports N to N+C-1, one channel and event loop each (default 1)")
        String channels;

        @Option(names = "--stats", description = "print packets per second once a second")
        boolean stats;

        @Override
        public Integer call() throws Exception {
            return Main.passthrough(this);
        }
    }

    @Command(
            name = "rewrite-port",
            synopsisHeading = "usage: ",
            customSynopsis = "rewrite-port --port N --from A --to B",
            description = {
                "TCP/UDP port forwarder A -> B",
                "",
                "A TCP/UDP port forwarder: outbound packets to port A go to port B, inbound packets",
                "from port B come back from port A; checksums are updated incrementally."
            })
    static final class RewritePort extends Base {
        @Option(names = "--port", paramLabel = "N", description = "the divert port (not with replay)")
        String port;

        @Option(names = "--from", required = true, paramLabel = "A", description = "the port to rewrite")
        String from;

        @Option(names = "--to", required = true, paramLabel = "B", description = "the port to rewrite it to")
        String to;

        @Override
        public Integer call() throws Exception {
            return Main.filter("rewrite-port", Main.Filter.of(this, true));
        }
    }

    @Command(
            name = "drop",
            synopsisHeading = "usage: ",
            customSynopsis = "drop --port N --proto tcp|udp|icmp [--dst-port P] [--src CIDR]",
            description = {
                "drop what matches, reinject the rest",
                "",
                "Drops the diverted packets that match (protocol, destination port, source range)",
                "and reinjects the rest, counting both."
            })
    static final class Drop extends Base {
        @Option(names = "--port", paramLabel = "N", description = "the divert port (not with replay)")
        String port;

        @Option(names = "--proto", required = true, paramLabel = "tcp|udp|icmp", description = "the protocol")
        String proto;

        @Option(names = "--dst-port", paramLabel = "P", description = "only to this destination port")
        String dstPort;

        @Option(names = "--src", paramLabel = "CIDR", description = "only from this range, e.g. 10.0.0.0/8")
        String src;

        @Override
        public Integer call() throws Exception {
            return Main.filter("drop", Main.Filter.of(this, true));
        }
    }

    @Command(
            name = "replay",
            synopsisHeading = "usage: ",
            customSynopsis = {
                "replay --in IN --out OUT [--format pcap|pcapng] [--local CIDR]",
                "              [--checksums strict|partial] [--complete-checksums] rewrite-port|drop OPTIONS"
            },
            description = {
                "run a pipeline over a capture, no kernel",
                "",
                "Runs the rewrite-port or drop pipeline over a capture instead of a kernel (no root).",
                "IN is pcap or pcapng (told apart by content). What the pipeline writes goes to OUT;",
                "drops are counted. The pipeline runs on the capture's clock: its timers fire as the",
                "capture's time passes, and output records carry the time they were written.",
                "OUT is replaced only once the replay succeeds, and cannot be IN.",
                "Example: replay --in in.pcap --out out.pcap drop --proto udp --dst-port 53"
            })
    static final class Replay extends Base {
        @Option(names = "--in", required = true, paramLabel = "IN", description = "the capture to read")
        String in;

        @Option(names = "--out", required = true, paramLabel = "OUT", description = "the capture to write")
        String out;

        @Option(
                names = "--format",
                paramLabel = "pcap|pcapng",
                description = "OUT's format (default: pcapng if OUT ends in .pcapng, else pcap)")
        String format;

        @Option(
                names = "--local",
                paramLabel = "CIDR",
                description = "packets from these addresses (comma-separated) are outbound, the others"
                        + " inbound (default: all outbound)")
        String local;

        @Option(
                names = "--checksums",
                paramLabel = "strict|partial",
                description = "drop (and count) datagrams whose checksums are wrong: strict takes only complete"
                        + " ones, partial also offloaded TCP/UDP checksums (default: not checked)")
        String checksums;

        @Option(
                names = "--complete-checksums",
                description = "first complete offloaded checksums, as the live channel does")
        boolean completeChecksums;

        // The pipeline's name and its options: parsed by the pipeline's own command.
        @Parameters(paramLabel = "rewrite-port|drop OPTIONS", description = "the pipeline and its options")
        List<String> pipeline = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return org.nettydivert.example.Replay.run(
                    in, out, local, format, checksums, completeChecksums, pipeline, io.out);
        }
    }

    @Command(
            name = "traffic",
            synopsisHeading = "usage: ",
            customSynopsis = "traffic --port P",
            description = {"the demo's traffic", "", "Three UDP datagrams and one TCP exchange on 127.0.0.1:P."})
    static final class Traffic extends Base {
        @Option(names = "--port", required = true, paramLabel = "P", description = "the UDP and TCP port")
        String port;

        @Override
        public Integer call() throws Exception {
            return org.nettydivert.example.Traffic.run(Main.integer("traffic", "port", port, 1, 65535, null), io.out);
        }
    }
}
