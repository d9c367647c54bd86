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
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code java -jar netty-divert-example.jar COMMAND [options]}: the example divert programs, their
 * command line parsed by picocli ({@link Cli}). Exit codes: 0 done, 1 could not run (privileges,
 * kernel support, port taken, files), 2 bad arguments.
 */
public final class Main {
    /** What errors that belong to no command start with. */
    static final String PROGRAM = "netty-divert-example";

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
        // Netty logs through java.util.logging here, whose default takes two lines per record
        // (time and logger, then the message): one line reads better among the program's output.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        }
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /** Where a command prints, and whether its errors get stack traces. */
    static final class Io {
        final PrintStream out;
        final PrintStream err;
        final boolean debug;

        Io(PrintStream out, PrintStream err, boolean debug) {
            this.out = out;
            this.err = err;
            this.debug = debug;
        }
    }

    /** The command line of every command, ready to parse; its commands print to {@code io}. */
    static CommandLine commandLine(Io io) {
        CommandLine cli = new CommandLine(new Cli.Program())
                .addSubcommand(new Cli.Dump())
                .addSubcommand(new Cli.Passthrough())
                .addSubcommand(new Cli.RewritePort())
                .addSubcommand(new Cli.Drop())
                .addSubcommand(new Cli.Replay())
                .addSubcommand(new Cli.Traffic())
                .addSubcommand("completion", new AutoComplete.GenerateCompletion());
        CommandLine completion = cli.getSubcommands().get("completion");
        completion.getCommandSpec().usageMessage().hidden(false);
        completion
                .getCommandSpec()
                .usageMessage()
                .description(
                        "print a bash completion script",
                        "",
                        "Usage: source <(java -jar netty-divert-example.jar completion)");
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommand() instanceof Cli.Base) {
                ((Cli.Base) sub.getCommand()).io = io;
            }
        }
        // The hand-written descriptions are up to 90 columns wide.
        cli.setUsageHelpWidth(100);
        // As before picocli: the last of a repeated option wins.
        cli.setOverwrittenOptionsAllowed(true);
        // replay's pipeline options belong to the pipeline: after its name, nothing is replay's.
        cli.getSubcommands().get("replay").setStopAtPositional(true);
        cli.setOut(new PrintWriter(new OutputStreamWriter(io.out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(io.err, StandardCharsets.UTF_8), true));
        cli.setParameterExceptionHandler((e, args) -> {
            io.err.println(usageError(e));
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof UsageException) {
                io.err.println(e.getMessage());
                return 2;
            }
            io.err.println(commandLine.getCommandName() + ": " + describe(e));
            if (io.debug) {
                e.printStackTrace(io.err);
            }
            return 1;
        });
        return cli;
    }

    /** Runs a command; returns the exit code. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        // --debug anywhere, as before: it is no option of any one command.
        boolean debug = args.contains("--debug");
        List<String> rest = args.stream().filter(a -> !a.equals("--debug")).toList();
        CommandLine cli = commandLine(new Io(out, err, debug));
        // An unknown command is an error even with --help after it, which picocli would honour.
        if (!rest.isEmpty()
                && !rest.get(0).startsWith("-")
                && !cli.getSubcommands().containsKey(rest.get(0))) {
            err.println(PROGRAM + ": unknown command '" + rest.get(0) + "' (see --help)");
            return 2;
        }
        int code = cli.execute(rest.toArray(String[]::new));
        cli.getOut().flush();
        cli.getErr().flush();
        return code;
    }

    /**
     * A picocli parse error as one line in the programs' words, starting with the command's name
     * ("dump: --count needs a value").
     */
    static String usageError(CommandLine.ParameterException e) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandName();
        boolean top = command.getCommand() instanceof Cli.Program;
        String see = top ? " (see --help)" : " (see " + name + " --help)";
        if (e instanceof CommandLine.UnmatchedArgumentException
                && !((CommandLine.UnmatchedArgumentException) e).getUnmatched().isEmpty()) {
            String word =
                    ((CommandLine.UnmatchedArgumentException) e).getUnmatched().get(0);
            if (word.startsWith("-")) {
                return name + ": unknown option " + word + see;
            }
            return name + (top ? ": unknown command '" + word + "'" : ": unexpected '" + word + "'") + see;
        }
        if (e instanceof CommandLine.MissingParameterException) {
            List<ArgSpec> missing = ((CommandLine.MissingParameterException) e).getMissing();
            if (!missing.isEmpty() && missing.get(0) instanceof OptionSpec) {
                String option = ((OptionSpec) missing.get(0)).longestName();
                // picocli says "Missing required parameter for option" when the option came
                // without its value, "Missing required option" when it did not come at all.
                return name + ": " + option
                        + (e.getMessage().startsWith("Missing required parameter") ? " needs a value" : " is required");
            }
        }
        return name + ": " + e.getMessage();
    }

    /**
     * What dump asks the kernel to add to each packet: the owner, and the conntrack state where
     * the kernel can give it (where it cannot, the channel says so once and goes on without).
     */
    private static final Set<PacketMetadata.Extra> DUMP_METADATA =
            Set.of(PacketMetadata.Extra.OWNER, PacketMetadata.Extra.CONNTRACK);

    static int dump(Cli.Dump o) throws UsageException, IOException {
        PrintStream out = o.io.out;
        PrintStream err = o.io.err;
        boolean debug = o.io.debug;
        int port = integer("dump", "port", o.port, 0, 65535, null);
        int count = integer("dump", "count", o.count, 1, Integer.MAX_VALUE, 0);
        String write = o.write;
        String formatName = o.format;
        if (formatName != null && write == null) {
            throw new UsageException("dump: --format needs --write FILE");
        }
        DumpHandler dump = new DumpHandler(out, o.hex, count);
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

    /** The most channels passthrough binds: one event loop thread each. */
    static final int MAX_CHANNELS = 256;

    static int passthrough(Cli.Passthrough o) throws UsageException {
        PrintStream out = o.io.out;
        int port = integer("passthrough", "port", o.port, 0, 65535, null);
        int channels = integer("passthrough", "channels", o.channels, 1, MAX_CHANNELS, 1);
        if (port + channels - 1 > 65535) {
            throw new UsageException("passthrough: --channels " + channels + " from --port " + port
                    + " goes past port 65535 (at most " + (65536 - port) + ")");
        }
        List<DivertChannel> bound = new ArrayList<>();
        return DivertRunner.run(
                "passthrough",
                port,
                channels,
                Set.of(),
                new PassthroughHandler(),
                () -> "passthrough: " + totals(bound),
                all -> {
                    bound.addAll(all);
                    if (o.stats) {
                        reportEverySecond(all, out);
                    }
                },
                out,
                o.io.err,
                o.io.debug);
    }

    /** The channels' counters: one channel's as it says them, several summed. */
    static String totals(List<DivertChannel> channels) {
        if (channels.size() == 1) {
            return channels.get(0).stats().toString();
        }
        long[] sum = new long[12];
        for (DivertChannel channel : channels) {
            DivertStats s = channel.stats();
            long[] each = {
                s.packetsRead(),
                s.packetsReinjected(),
                s.packetsReinjectedUnchanged(),
                s.packetsInjected(),
                s.writesFailed(),
                s.releaseDrops(),
                s.packetsUnhandled(),
                s.timeoutDrops(),
                s.packetsTruncated(),
                s.overflows(),
                s.kernelQueueDrops(),
                s.kernelSocketDrops()
            };
            for (int i = 0; i < sum.length; i++) {
                sum[i] += each[i];
            }
        }
        return String.format(
                Locale.ROOT,
                "%d channels: DivertStats(read %d, reinjected %d (unchanged %d), injected %d, write failures %d,"
                        + " release drops %d (unhandled %d), timeout drops %d, truncated %d, overflows %d,"
                        + " kernel queue drops %d, kernel socket drops %d)",
                channels.size(),
                sum[0],
                sum[1],
                sum[2],
                sum[3],
                sum[4],
                sum[5],
                sum[6],
                sum[7],
                sum[8],
                sum[9],
                sum[10],
                sum[11]);
    }

    /** Once a second, the packets read by all {@code channels} in that second. */
    private static void reportEverySecond(List<DivertChannel> channels, PrintStream out) {
        long[] last = {0};
        channels.get(0)
                .eventLoop()
                .scheduleAtFixedRate(
                        () -> {
                            long read = 0;
                            for (DivertChannel channel : channels) {
                                read += channel.stats().packetsRead();
                            }
                            out.println("passthrough: " + (read - last[0]) + " packets/s");
                            last[0] = read;
                        },
                        1,
                        1,
                        TimeUnit.SECONDS);
    }

    static int filter(String command, Filter filter) {
        Io io = filter.io;
        return DivertRunner.run(
                command,
                filter.port,
                pipeline(new IpPacketCodec(), filter.handler),
                filter::totals,
                channel -> {},
                io.out,
                io.err,
                io.debug);
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

    /**
     * {@code value} of option {@code --name} as a number from {@code min} to {@code max}, or
     * {@code fallback} when the option was not given (null: the option is required).
     */
    static int integer(String command, String name, String value, int min, int max, Integer fallback)
            throws UsageException {
        if (value == null) {
            if (fallback == null) {
                throw new UsageException(command + ": --" + name + " is required");
            }
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException(
                command + ": --" + name + " must be a number from " + min + " to " + max + ", not '" + value + "'");
    }

    /** A rewrite-port or drop pipeline from its options: for live use and for replay. */
    static final class Filter {
        final int port;
        final ChannelHandler handler;
        final Io io;
        private final java.util.function.Supplier<String> totals;

        private Filter(int port, ChannelHandler handler, Io io, java.util.function.Supplier<String> totals) {
            this.port = port;
            this.handler = handler;
            this.io = io;
            this.totals = totals;
        }

        String totals() {
            return totals.get();
        }

        /** {@code command}'s pipeline from {@code args}, its options: replay's, without --port. */
        static Filter parse(String command, List<String> args, boolean needsPort) throws UsageException {
            if (!needsPort && args.contains("--port")) {
                throw new UsageException(command + ": no --port offline (the packets come from --in)");
            }
            // A command line of its own: the pipeline's options, without the program around them.
            CommandLine cli = new CommandLine(command.equals("drop") ? new Cli.Drop() : new Cli.RewritePort());
            cli.setOverwrittenOptionsAllowed(true);
            ((Cli.Base) cli.getCommand()).io = new Io(System.out, System.err, false);
            try {
                cli.parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new UsageException(usageError(e));
            }
            if (cli.isUsageHelpRequested()) {
                // picocli skips the required options' check when help is asked for: say where it is.
                throw new UsageException(command + ": no --help here (see replay --help and " + command + " --help)");
            }
            Object options = cli.getCommand();
            return options instanceof Cli.Drop
                    ? of((Cli.Drop) options, needsPort)
                    : of((Cli.RewritePort) options, needsPort);
        }

        static Filter of(Cli.RewritePort o, boolean needsPort) throws UsageException {
            String command = "rewrite-port";
            int port = needsPort ? integer(command, "port", o.port, 0, 65535, null) : -1;
            RewritePortHandler h = new RewritePortHandler(
                    integer(command, "from", o.from, 1, 65535, null), integer(command, "to", o.to, 1, 65535, null));
            return new Filter(port, h, o.io, h::totals);
        }

        static Filter of(Cli.Drop o, boolean needsPort) throws UsageException {
            String command = "drop";
            int port = needsPort ? integer(command, "port", o.port, 0, 65535, null) : -1;
            String proto = o.proto.toLowerCase(Locale.ROOT);
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
            int dstPort = integer(command, "dst-port", o.dstPort, 0, 65535, -1);
            IpNetwork range;
            try {
                range = o.src == null ? null : IpNetwork.parse(o.src);
            } catch (IllegalArgumentException e) {
                throw new UsageException(command + ": --src: " + e.getMessage());
            }
            DropHandler h = new DropHandler(protocol, dstPort, range);
            return new Filter(port, h, o.io, h::totals);
        }
    }
}
