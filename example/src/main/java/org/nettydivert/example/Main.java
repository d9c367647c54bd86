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

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.nettydivert.codec.ip.IpNetwork;
import org.nettydivert.codec.ip.IpPacketCodec;
import org.nettydivert.codec.ip.IpProtocol;
import org.nettydivert.codec.ip.PcapFormat;
import org.nettydivert.codec.ip.PcapTeeHandler;
import org.nettydivert.codec.ip.PcapWriter;
import org.nettydivert.transport.DivertChannel;
import org.nettydivert.transport.DivertStats;
import org.nettydivert.transport.PacketMetadata;

/**
 * {@code java -jar netty-divert-example.jar COMMAND [options]}: the example divert programs.
 * Exit codes: 0 done, 1 could not run (privileges, kernel support, port taken), 2 bad arguments.
 */
public final class Main {
    /** What errors that belong to no command start with. */
    static final String PROGRAM = "netty-divert-example";

    static final String USAGE = String.join(
            "\n",
            "usage: java -jar netty-divert-example.jar COMMAND [options]",
            "",
            "commands:",
            "  dump --port N [--count K] [--hex] [--write FILE]",
            "                                         print each diverted packet and reinject it",
            "  passthrough --port N [--stats]         reinject everything as fast as possible",
            "  rewrite-port --port N --from A --to B  TCP/UDP port forwarder A -> B",
            "  drop --port N --proto tcp|udp|icmp [--dst-port P] [--src CIDR]",
            "                                         drop what matches, reinject the rest",
            "  replay --in IN --out OUT [--local CIDR] rewrite-port|drop OPTIONS",
            "                                         run a pipeline over a capture, no kernel",
            "",
            "--port is the divert port: ipfw 'divert N', pf 'divert-packet port N', or the Linux",
            "NFQUEUE number ('-j NFQUEUE --queue-num N'). Add --debug for stack traces, and",
            "COMMAND --help for a command's help.");

    private Main() {}

    public static void main(String[] args) {
        // Netty derives channel ids from a MAC address and warns when a network namespace has
        // none (only lo): a random machine id is what it would use anyway.
        if (System.getProperty("io.netty.machineId") == null) {
            byte[] id = new byte[8];
            new java.security.SecureRandom().nextBytes(id);
            id[0] |= 0x02; // locally administered
            System.setProperty(
                    "io.netty.machineId",
                    io.netty.buffer.ByteBufUtil.hexDump(id).replaceAll("(..)(?!$)", "$1:"));
        }
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /** Runs a command; returns the exit code. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean debug = args.contains("--debug");
        List<String> rest = args.stream().filter(a -> !a.equals("--debug")).toList();
        if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("-h")) {
            (rest.isEmpty() ? err : out).println(USAGE);
            return rest.isEmpty() ? 2 : 0;
        }
        String command = rest.get(0);
        List<String> options = rest.subList(1, rest.size());
        if ((options.contains("--help") || options.contains("-h")) && Help.exists(command)) {
            out.println(Help.of(command));
            return 0;
        }
        try {
            switch (command) {
                case "dump":
                    return dump(options, out, err, debug);
                case "passthrough":
                    return passthrough(options, out, err, debug);
                case "rewrite-port":
                case "drop":
                    return filter(command, options, out, err, debug);
                case "replay":
                    return Replay.run(options, out, err, debug);
                case "traffic":
                    return Traffic.run(
                            Options.parse(command, options, Set.of("port"), Set.of())
                                    .integer(command, "port", 1, 65535, null),
                            out);
                default:
                    throw new UsageException(PROGRAM + ": unknown command '" + command + "' (see --help)");
            }
        } catch (UsageException e) {
            err.println(e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println(command + ": " + describe(e));
            if (debug) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /**
     * What dump asks the kernel to add to each packet: the owner, and the conntrack state where
     * the kernel can give it (where it cannot, the channel says so once and goes on without).
     */
    private static final Set<PacketMetadata.Extra> DUMP_METADATA =
            Set.of(PacketMetadata.Extra.OWNER, PacketMetadata.Extra.CONNTRACK);

    private static int dump(List<String> args, PrintStream out, PrintStream err, boolean debug)
            throws UsageException, IOException {
        Options o = Options.parse("dump", args, Set.of("port", "count", "write", "format"), Set.of("hex"));
        noExtraWords("dump", o);
        int port = o.integer("dump", "port", 0, 65535, null);
        int count = o.integer("dump", "count", 1, Integer.MAX_VALUE, 0);
        String write = o.string("write", null);
        String formatName = o.string("format", null);
        if (formatName != null && write == null) {
            throw new UsageException("dump: --format needs --write FILE");
        }
        DumpHandler dump = new DumpHandler(out, o.flag("hex"), count);
        if (write == null) {
            return DivertRunner.run(
                    "dump",
                    port,
                    DUMP_METADATA,
                    pipeline(new IpPacketCodec(), dump),
                    () -> "dump: " + dump.seen() + " packets",
                    channel -> {},
                    out,
                    err,
                    debug);
        }
        Path file = Path.of(write);
        PcapFormat format = formatName == null ? PcapFormat.forFileName(file) : format("dump", formatName);
        if (Files.isDirectory(file)) {
            throw new UsageException("dump: --write " + file + " is a directory");
        }
        // Like tcpdump -w: the file gets the datagrams as the kernel diverted them, before the codec.
        try (PcapWriter writer = PcapWriter.create(file, format)) {
            PcapTeeHandler tee = new PcapTeeHandler(writer, true, false);
            return DivertRunner.run(
                    "dump",
                    port,
                    DUMP_METADATA,
                    pipeline(tee, new IpPacketCodec(), dump),
                    () -> {
                        // Flushed here, not only on close: on SIGTERM the JVM exits right after
                        // the totals are printed.
                        String failed = "";
                        try {
                            writer.flush();
                        } catch (IOException e) {
                            failed = ", cannot write " + file + ": " + describe(e);
                        }
                        long lost = tee.failedWrites();
                        return "dump: " + dump.seen() + " packets, " + (writer.records()) + " written to " + file
                                + (lost == 0 ? "" : " (" + lost + " could not be)") + failed;
                    },
                    channel -> {},
                    out,
                    err,
                    debug);
        }
    }

    /** {@code command}'s --format value. */
    static PcapFormat format(String command, String name) throws UsageException {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "pcap":
                return PcapFormat.PCAP;
            case "pcapng":
                return PcapFormat.PCAPNG;
            default:
                throw new UsageException(command + ": --format must be pcap or pcapng, not '" + name + "'");
        }
    }

    private static int passthrough(List<String> args, PrintStream out, PrintStream err, boolean debug)
            throws UsageException {
        Options o = Options.parse("passthrough", args, Set.of("port"), Set.of("stats"));
        noExtraWords("passthrough", o);
        int port = o.integer("passthrough", "port", 0, 65535, null);
        DivertChannel[] bound = new DivertChannel[1];
        return DivertRunner.run(
                "passthrough",
                port,
                new PassthroughHandler(),
                () -> "passthrough: " + bound[0].stats(),
                channel -> {
                    bound[0] = channel;
                    if (o.flag("stats")) {
                        reportEverySecond(channel, out);
                    }
                },
                out,
                err,
                debug);
    }

    private static void reportEverySecond(DivertChannel channel, PrintStream out) {
        long[] last = {0};
        channel.eventLoop()
                .scheduleAtFixedRate(
                        () -> {
                            DivertStats stats = channel.stats();
                            out.println("passthrough: " + (stats.packetsRead() - last[0]) + " packets/s");
                            last[0] = stats.packetsRead();
                        },
                        1,
                        1,
                        TimeUnit.SECONDS);
    }

    private static int filter(String command, List<String> args, PrintStream out, PrintStream err, boolean debug)
            throws UsageException {
        Filter filter = Filter.parse(command, args, true);
        return DivertRunner.run(
                command,
                filter.port,
                pipeline(new IpPacketCodec(), filter.handler),
                filter::totals,
                channel -> {},
                out,
                err,
                debug);
    }

    /**
     * {@code e} as the end of an error line. File system exceptions often carry only the file
     * ("/tmp/x"), and some exceptions no message at all: neither says what went wrong.
     */
    static String describe(Exception e) {
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() == null) {
            String file = ((FileSystemException) e).getFile();
            if (e instanceof NoSuchFileException) {
                return file + ": no such file or directory";
            }
            if (e instanceof AccessDeniedException) {
                return file + ": permission denied";
            }
            if (e instanceof FileAlreadyExistsException) {
                return file + ": already exists";
            }
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** The handlers, in order, for every channel. */
    static ChannelHandler pipeline(ChannelHandler... handlers) {
        return new ChannelInitializer<DivertChannel>() {
            @Override
            protected void initChannel(DivertChannel channel) {
                ChannelPipeline pipeline = channel.pipeline();
                pipeline.addLast(handlers);
            }
        };
    }

    static void noExtraWords(String command, Options o) throws UsageException {
        if (!o.rest().isEmpty()) {
            throw new UsageException(command + ": unexpected '" + o.rest().get(0) + "' (see " + command + " --help)");
        }
    }

    /** A rewrite-port or drop pipeline from its options: for live use and for replay. */
    static final class Filter {
        final int port;
        final ChannelHandler handler;
        private final java.util.function.Supplier<String> totals;

        private Filter(int port, ChannelHandler handler, java.util.function.Supplier<String> totals) {
            this.port = port;
            this.handler = handler;
            this.totals = totals;
        }

        String totals() {
            return totals.get();
        }

        static Filter parse(String command, List<String> args, boolean needsPort) throws UsageException {
            Set<String> valued =
                    command.equals("drop") ? Set.of("port", "proto", "dst-port", "src") : Set.of("port", "from", "to");
            if (!needsPort && args.contains("--port")) {
                throw new UsageException(command + ": no --port offline (the packets come from --in)");
            }
            Options o = Options.parse(command, args, valued, Set.of());
            noExtraWords(command, o);
            int port = needsPort ? o.integer(command, "port", 0, 65535, null) : -1;
            if (command.equals("rewrite-port")) {
                RewritePortHandler h = new RewritePortHandler(
                        o.integer(command, "from", 1, 65535, null), o.integer(command, "to", 1, 65535, null));
                return new Filter(port, h, h::totals);
            }
            String proto = o.required(command, "proto").toLowerCase(Locale.ROOT);
            int protocol;
            switch (proto) {
                case "tcp":
                    protocol = IpProtocol.TCP;
                    break;
                case "udp":
                    protocol = IpProtocol.UDP;
                    break;
                case "icmp":
                    protocol = IpProtocol.ICMP;
                    break;
                default:
                    throw new UsageException(command + ": --proto must be tcp, udp or icmp, not '" + proto + "'");
            }
            int dstPort = o.integer(command, "dst-port", 0, 65535, -1);
            String src = o.string("src", null);
            IpNetwork range;
            try {
                range = src == null ? null : IpNetwork.parse(src);
            } catch (IllegalArgumentException e) {
                throw new UsageException(command + ": --src: " + e.getMessage());
            }
            DropHandler h = new DropHandler(protocol, dstPort, range);
            return new Filter(port, h, h::totals);
        }
    }
}
