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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nettydivert.codec.ip.ChecksumStatus;
import org.nettydivert.codec.ip.DirectionRule;
import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.codec.ip.IpPacketCodec;
import org.nettydivert.codec.ip.IpProtocol;
import org.nettydivert.codec.ip.OfflineReplay;
import org.nettydivert.codec.ip.PcapFormat;
import org.nettydivert.codec.ip.PcapReader;
import org.nettydivert.codec.ip.PcapRecord;
import org.nettydivert.codec.ip.PcapWriter;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * Each program's pipeline, run offline over a capture made here, with its output capture read
 * back and checked packet by packet: how the programs are tested without a kernel.
 */
class ReplayPipelinesTest {
    private static final String CLIENT = "10.0.0.1";
    private static final String SERVER = "10.0.0.2";

    @TempDir
    Path tmp;

    /** A small conversation: client (local) to server port 80 and back, a DNS query, a ping. */
    private Path capture() throws Exception {
        Path in = tmp.resolve("in.pcap");
        try (PcapWriter w = PcapWriter.create(in)) {
            write(w, Packets.tcp(CLIENT, 40000, SERVER, 80, "GET /"));
            write(w, Packets.tcp(SERVER, 8080, CLIENT, 40000, "200 OK"));
            write(w, Packets.udp(CLIENT, 40001, SERVER, 80, "udp to 80"));
            write(w, Packets.udp("10.9.9.9", 5353, SERVER, 53, "dns query"));
            write(w, Packets.udp("192.168.1.5", 5353, SERVER, 53, "dns query"));
            write(w, Packets.icmpEcho(CLIENT, SERVER));
            write(w, Packets.udp("::1", 1000, "::2", 80, "six"));
        }
        return in;
    }

    private static void write(PcapWriter w, ByteBuf packet) throws Exception {
        try {
            w.write(packet);
        } finally {
            packet.release();
        }
    }

    /** The decoded packets of a capture, as (source, destination, protocol, ports, checksum ok). */
    private static List<String> summaries(Path pcap) throws Exception {
        List<String> lines = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(pcap)) {
            for (PcapRecord r; (r = reader.next()) != null; ) {
                IpPacket p = IpPacket.decode(new DivertPacket(r.content().retain(), DivertAddress.outbound()));
                try {
                    lines.add(p.sourceAddress().getHostAddress() + ":" + p.sourcePort() + " > "
                            + p.destinationAddress().getHostAddress() + ":" + p.destinationPort() + " "
                            + IpProtocol.name(p.protocol()) + (p.verifyChecksums() ? "" : " BAD-CHECKSUM"));
                } finally {
                    p.release();
                    r.release();
                }
            }
        }
        return lines;
    }

    private int replay(String... args) {
        return replay(new ByteArrayOutputStream(), args);
    }

    /** Runs replay with {@code args}, its stderr into {@code err}. */
    private static int replay(ByteArrayOutputStream err, String... args) {
        List<String> all = new ArrayList<>(List.of("replay"));
        all.addAll(Arrays.asList(args));
        return Main.run(
                all, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void rewritePortSendsOutboundTrafficToTheNewPortAndRepliesBackFromTheOld() throws Exception {
        Path in = capture();
        Path out = tmp.resolve("out.pcap");
        assertEquals(
                0,
                replay(
                        "--in",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "--local",
                        CLIENT + "/32",
                        "rewrite-port",
                        "--from",
                        "80",
                        "--to",
                        "8080"));
        assertEquals(
                List.of(
                        "10.0.0.1:40000 > 10.0.0.2:8080 TCP",
                        "10.0.0.2:80 > 10.0.0.1:40000 TCP",
                        "10.0.0.1:40001 > 10.0.0.2:8080 UDP",
                        "10.9.9.9:5353 > 10.0.0.2:53 UDP",
                        "192.168.1.5:5353 > 10.0.0.2:53 UDP",
                        "10.0.0.1:-1 > 10.0.0.2:-1 ICMP",
                        "0:0:0:0:0:0:0:1:1000 > 0:0:0:0:0:0:0:2:80 UDP"),
                summaries(out));
    }

    @Test
    void dropRemovesWhatMatchesAndKeepsTheRest() throws Exception {
        Path in = capture();
        Path out = tmp.resolve("out.pcap");
        assertEquals(
                0,
                replay(
                        "--in",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "drop",
                        "--proto",
                        "udp",
                        "--dst-port",
                        "53",
                        "--src",
                        "10.0.0.0/8"));
        List<String> kept = summaries(out);
        assertEquals(6, kept.size(), kept.toString());
        assertTrue(kept.contains("192.168.1.5:5353 > 10.0.0.2:53 UDP"), "another source network is kept");
        assertTrue(kept.stream().noneMatch(s -> s.startsWith("10.9.9.9")), "10.9.9.9 -> :53 is dropped");
    }

    @Test
    void dropByProtocolAloneDropsEveryPacketOfIt() throws Exception {
        Path in = capture();
        Path out = tmp.resolve("out.pcap");
        assertEquals(0, replay("--in", in.toString(), "--out", out.toString(), "drop", "--proto", "icmp"));
        List<String> kept = summaries(out);
        assertEquals(6, kept.size());
        assertTrue(kept.stream().noneMatch(s -> s.endsWith("ICMP")));
    }

    @Test
    void passthroughWritesEveryPacketUnchanged() throws Exception {
        Path in = capture();
        Path out = tmp.resolve("out.pcap");
        OfflineReplay.Result result = OfflineReplay.builder()
                .input(in)
                .output(out)
                .direction(DirectionRule.always(DivertAddress.Direction.OUTBOUND))
                .build()
                .run(new PassthroughHandler());
        assertEquals(7, result.read());
        assertEquals(7, result.reinjected());
        assertEquals(summaries(in), summaries(out));
    }

    @Test
    void dumpPrintsOneLinePerPacketWithDirectionAndPorts() throws Exception {
        Path in = capture();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DumpHandler dump = new DumpHandler(new PrintStream(printed, true, StandardCharsets.UTF_8), true, 0);
        OfflineReplay.Result result = OfflineReplay.builder()
                .input(in)
                .output(tmp.resolve("out.pcap"))
                .direction(DirectionRule.outboundFrom(CLIENT + "/32"))
                .build()
                .run(new IpPacketCodec(), dump);
        assertEquals(7, result.reinjected());
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("OUTBOUND ? 10.0.0.1:40000 -> 10.0.0.2:80 TCP [P.] len 45"), text);
        assertTrue(text.contains("INBOUND ? 10.0.0.2:8080 -> 10.0.0.1:40000 TCP [P.] len 46"), text);
        assertTrue(text.contains("OUTBOUND ? 10.0.0.1 -> 10.0.0.2 ICMP len 28"), text);
        // --hex: the first 40 bytes, starting with the IPv4 version/IHL byte.
        assertTrue(text.contains("45 00 00 2d"), text);
        assertEquals(7, dump.seen());
    }

    @Test
    void replayWithoutAPipelineIsAUsageError() throws Exception {
        Path in = capture();
        assertEquals(
                2, replay("--in", in.toString(), "--out", tmp.resolve("o.pcap").toString()));
    }

    @Test
    void replayOfAMissingFileIsAUsageError() {
        assertEquals(
                2, replay("--in", tmp.resolve("nope.pcap").toString(), "--out", "x.pcap", "drop", "--proto", "udp"));
    }

    @Test
    void replayOverItsOwnInputIsRefusedAndTheInputKept() throws Exception {
        Path in = capture();
        byte[] before = Files.readAllBytes(in);
        Files.createDirectories(tmp.resolve("sub"));
        Path[] sameFile = {
            in,
            tmp.resolve("sub/../in.pcap"),
            Files.createSymbolicLink(tmp.resolve("link.pcap"), in.getFileName()),
            Files.createLink(tmp.resolve("hard.pcap"), in)
        };
        for (Path out : sameFile) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = replay(
                    err, "--in", in.toString(), "--out", out.toString(), "drop", "--proto", "udp", "--dst-port", "53");
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, exit, out + ": " + message);
            assertEquals(1, message.lines().count(), message);
            assertTrue(message.startsWith("replay: --out " + out + " is the same file as --in"), message);
            assertArrayEquals(before, Files.readAllBytes(in), out.toString());
        }
    }

    @Test
    void aReplayThatFailsLeavesTheOutputAsItWas() throws Exception {
        Path in = capture();
        byte[] whole = Files.readAllBytes(in);
        Files.write(in, Arrays.copyOf(whole, whole.length - 3));
        Path out = tmp.resolve("out.pcap");
        byte[] older = "an older output".getBytes(StandardCharsets.US_ASCII);
        Files.write(out, older);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, replay(err, "--in", in.toString(), "--out", out.toString(), "drop", "--proto", "icmp"));
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertTrue(message.matches("replay: pcap record at offset \\d+: the file ends inside it"), message);
        assertArrayEquals(older, Files.readAllBytes(out));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(
                    List.of("in.pcap", "out.pcap"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    /** The records of a capture as (time, bytes) lines, to compare captures exactly. */
    private static List<String> records(Path capture) throws Exception {
        List<String> lines = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(capture)) {
            for (PcapRecord r; (r = reader.next()) != null; ) {
                lines.add(r.epochNanos() + " " + io.netty.buffer.ByteBufUtil.hexDump(r.content()));
                r.release();
            }
        }
        return lines;
    }

    private List<String> replayRewritePort(Path in, Path out) throws Exception {
        assertEquals(
                0,
                replay(
                        "--in",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "--local",
                        CLIENT + "/32",
                        "rewrite-port",
                        "--from",
                        "80",
                        "--to",
                        "8080"));
        return records(out);
    }

    /** {@code pcap} rewritten as pcapng by PcapWriter, the records and their times unchanged. */
    private Path asPcapng(Path pcap) throws Exception {
        Path ng = tmp.resolve(pcap.getFileName() + ".pcapng");
        try (PcapReader reader = PcapReader.open(pcap);
                PcapWriter w = PcapWriter.create(ng, PcapFormat.PCAPNG)) {
            for (PcapRecord r; (r = reader.next()) != null; ) {
                w.writeNanos(r.content(), r.content().readerIndex(), r.content().readableBytes(), r.epochNanos());
                r.release();
            }
        }
        return ng;
    }

    @Test
    void aPcapngInputReplaysExactlyLikeThePcapInBothOutputFormats() throws Exception {
        Path in = capture();
        List<String> fromPcap = replayRewritePort(in, tmp.resolve("out.pcap"));
        Path ng = asPcapng(in);
        assertEquals(fromPcap, replayRewritePort(ng, tmp.resolve("ng-out.pcap")));
        Path ngOut = tmp.resolve("ng-out.pcapng");
        // pcapng output keeps nanoseconds where pcap kept microseconds; these inputs have none.
        assertEquals(fromPcap, replayRewritePort(ng, ngOut));
        try (PcapReader reader = PcapReader.open(ngOut)) {
            assertEquals(PcapFormat.PCAPNG, reader.format());
        }
        assertTrue(summaries(ngOut).contains("10.0.0.1:40000 > 10.0.0.2:8080 TCP"));
        assertTrue(
                summaries(ngOut).stream().noneMatch(s -> s.contains("BAD")),
                summaries(ngOut).toString());
    }

    @Test
    void formatOverridesTheOutputsName() throws Exception {
        Path in = capture();
        Path out = tmp.resolve("out.cap");
        assertEquals(
                0,
                replay(
                        "--in",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "--format",
                        "pcapng",
                        "drop",
                        "--proto",
                        "icmp"));
        try (PcapReader reader = PcapReader.open(out)) {
            assertEquals(PcapFormat.PCAPNG, reader.format());
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(
                2,
                replay(
                        err,
                        "--in",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "--format",
                        "erf",
                        "drop",
                        "--proto",
                        "icmp"));
        assertEquals(
                "replay: --format must be pcap or pcapng, not 'erf'",
                err.toString(StandardCharsets.UTF_8).strip());
    }

    /** Where tshark is, or {@code null}: the tests that need it are skipped without it. */
    private static Path tshark() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "tshark");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static List<String> run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
        return output.lines().toList();
    }

    @Test
    void aTsharkConvertedCaptureReplaysExactlyLikeThePcapAndTsharkReadsTheOutput() throws Exception {
        Path tshark = tshark();
        org.junit.jupiter.api.Assumptions.assumeTrue(tshark != null, "tshark is not installed: skipped");
        Path in = capture();
        Path ng = tmp.resolve("tshark.pcapng");
        run(tmp, tshark.toString(), "-r", in.toString(), "-F", "pcapng", "-w", ng.toString());
        try (PcapReader reader = PcapReader.open(ng)) {
            assertEquals(PcapFormat.PCAPNG, reader.format());
        }
        List<String> fromPcap = replayRewritePort(in, tmp.resolve("out.pcap"));
        Path ngOut = tmp.resolve("out.pcapng");
        assertEquals(fromPcap, replayRewritePort(ng, ngOut));
        // tshark reads what PcapWriter wrote as pcapng, with the rewritten ports and checksums good.
        List<String> lines = run(
                tmp,
                tshark.toString(),
                "-r",
                ngOut.toString(),
                "-o",
                "tcp.check_checksum:TRUE",
                "-o",
                "udp.check_checksum:TRUE",
                "-T",
                "fields",
                "-e",
                "tcp.dstport",
                "-e",
                "udp.dstport",
                "-e",
                "tcp.checksum.status",
                "-e",
                "udp.checksum.status");
        lines = lines.stream().filter(l -> !l.startsWith("Running as user")).toList();
        assertEquals(7, lines.size(), lines.toString());
        // tshark's checksum status: 1 is good (0 bad, 2 not checked).
        assertEquals("8080\t\t1\t", lines.get(0));
        assertEquals("\t8080\t\t1", lines.get(2));
    }

    @Test
    void checksumsAreCheckedOnlyWhenAskedAndPartialOnesCanPass() throws Exception {
        Path in = tmp.resolve("offloaded.pcap");
        try (PcapWriter w = PcapWriter.create(in)) {
            write(w, Packets.udp(CLIENT, 40001, SERVER, 53, "good"));
            ByteBuf partial = Packets.udp(CLIENT, 40002, SERVER, 53, "partial");
            // What Linux leaves in an offloaded UDP checksum: the folded pseudo-header sum.
            IpPacket p = IpPacket.decode(new DivertPacket(partial, DivertAddress.outbound()));
            p.transportHeader().setChecksum(p.pseudoHeaderSum());
            write(w, partial);
            ByteBuf bad = Packets.udp(CLIENT, 40003, SERVER, 53, "bad");
            bad.setByte(bad.writerIndex() - 1, 'B');
            write(w, bad);
        }
        Path out = tmp.resolve("out.pcap");
        String[] expected = {
            null,
            "replay: read 3, written 3, dropped 0 (",
            "strict",
            "replay: read 3, written 1, dropped 2, 2 malformed or with bad checksums (",
            "partial",
            "replay: read 3, written 2, dropped 1, 1 malformed or with bad checksums, 1 partial checksums"
                    + " accepted ("
        };
        for (int i = 0; i < expected.length; i += 2) {
            List<String> args = new ArrayList<>(List.of("replay", "--in", in.toString(), "--out", out.toString()));
            if (expected[i] != null) {
                args.addAll(List.of("--checksums", expected[i]));
            }
            args.addAll(List.of("drop", "--proto", "icmp"));
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            assertEquals(0, Main.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8), System.err));
            String line = printed.toString(StandardCharsets.UTF_8);
            assertTrue(line.startsWith(expected[i + 1]), line);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(
                2,
                replay(
                        err,
                        "--in",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "--checksums",
                        "lax",
                        "drop",
                        "--proto",
                        "icmp"));
        assertEquals(
                "replay: --checksums must be strict or partial, not 'lax'",
                err.toString(StandardCharsets.UTF_8).strip());
    }

    private static Path veth() throws Exception {
        return Path.of(ReplayPipelinesTest.class.getResource("/veth.pcap").toURI());
    }

    /** The statuses of a capture's checksums, in order. */
    private static List<ChecksumStatus> checksums(Path capture) throws Exception {
        List<ChecksumStatus> statuses = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(capture)) {
            for (PcapRecord r; (r = reader.next()) != null; ) {
                IpPacket p = IpPacket.decode(new DivertPacket(r.content().retain(), DivertAddress.outbound()));
                statuses.add(p.checksumStatus());
                p.release();
                r.release();
            }
        }
        return statuses;
    }

    private List<String> rewriteVeth(Path in, Path out, boolean complete) throws Exception {
        List<String> args = new ArrayList<>(List.of("--in", in.toString(), "--out", out.toString()));
        if (complete) {
            args.add("--complete-checksums");
        }
        // The veth capture's client is 10.99.0.1 and fd99::1; its servers listen on 8080 and 8443.
        args.addAll(List.of("--local", "10.99.0.1/32,fd99::1/128", "rewrite-port", "--from", "8080", "--to", "9090"));
        assertEquals(0, replay(args.toArray(String[]::new)));
        return records(out);
    }

    @Test
    void aVethCaptureWithOffloadedChecksumsReplaysWithRightOnesWhenCompleted() throws Exception {
        Path in = veth();
        assertTrue(checksums(in).contains(ChecksumStatus.PARTIAL));
        Path out = tmp.resolve("out.pcap");
        rewriteVeth(in, out, true);
        assertTrue(
                checksums(out).stream().allMatch(c -> c == ChecksumStatus.GOOD),
                checksums(out).toString());
        List<String> rewritten = summaries(out);
        assertTrue(
                rewritten.contains("10.99.0.1:" + clientPort(rewritten) + " > 10.99.0.2:9090 TCP"),
                rewritten.toString());
        // Outbound to 8080 went to 9090; the replies (from 8080: the capture saw no rewriting)
        // are inbound from B, not A, and are left alone.
        assertTrue(rewritten.stream().noneMatch(s -> s.contains("> 10.99.0.2:8080")), rewritten.toString());

        // Without completing, the incremental rewrite treats a partial checksum as a whole one:
        // the rewritten segments' checksums are then wrong.
        rewriteVeth(in, out, false);
        assertTrue(checksums(out).contains(ChecksumStatus.BAD), checksums(out).toString());

        // The same capture as pcapng replays to the same records.
        Path ng = asPcapng(in);
        assertEquals(rewriteVeth(in, tmp.resolve("a.pcap"), true), rewriteVeth(ng, tmp.resolve("b.pcap"), true));
    }

    private static String clientPort(List<String> summaries) {
        for (String s : summaries) {
            if (s.startsWith("10.99.0.1:") && s.contains(" > 10.99.0.2:9090 TCP")) {
                return s.substring("10.99.0.1:".length(), s.indexOf(' '));
            }
        }
        return "none";
    }

    @Test
    void aTsharkConvertedVethCaptureReplaysExactlyLikeThePcap() throws Exception {
        Path tshark = tshark();
        org.junit.jupiter.api.Assumptions.assumeTrue(tshark != null, "tshark is not installed: skipped");
        Path in = veth();
        Path ng = tmp.resolve("veth.pcapng");
        run(tmp, tshark.toString(), "-r", in.toString(), "-F", "pcapng", "-w", ng.toString());
        List<String> fromPcap = rewriteVeth(in, tmp.resolve("a.pcapng"), true);
        Path ngOut = tmp.resolve("b.pcapng");
        assertEquals(fromPcap, rewriteVeth(ng, ngOut, true));
        assertEquals(28, fromPcap.size());
        // tshark agrees that every TCP and UDP checksum of the output is right.
        List<String> statuses = run(
                        tmp,
                        tshark.toString(),
                        "-r",
                        ngOut.toString(),
                        "-o",
                        "tcp.check_checksum:TRUE",
                        "-o",
                        "udp.check_checksum:TRUE",
                        "-Y",
                        "tcp || udp",
                        "-T",
                        "fields",
                        "-e",
                        "tcp.checksum.status",
                        "-e",
                        "udp.checksum.status")
                .stream()
                .filter(l -> !l.startsWith("Running as user"))
                .map(String::strip)
                .toList();
        assertEquals(24, statuses.size(), statuses.toString());
        assertTrue(statuses.stream().allMatch(s -> s.equals("1")), statuses.toString());
    }

    /** Hand-built datagrams with correct checksums. */
    static final class Packets {
        private Packets() {}

        static ByteBuf tcp(String src, int sport, String dst, int dport, String data) throws Exception {
            byte[] payload = data.getBytes(StandardCharsets.US_ASCII);
            ByteBuf l4 = Unpooled.buffer();
            l4.writeShort(sport).writeShort(dport).writeInt(1000).writeInt(2000);
            l4.writeByte(5 << 4).writeByte(0x18).writeShort(64240).writeShort(0).writeShort(0);
            l4.writeBytes(payload);
            return ip(src, dst, IpProtocol.TCP, l4, 16);
        }

        static ByteBuf udp(String src, int sport, String dst, int dport, String data) throws Exception {
            byte[] payload = data.getBytes(StandardCharsets.US_ASCII);
            ByteBuf l4 = Unpooled.buffer();
            l4.writeShort(sport)
                    .writeShort(dport)
                    .writeShort(8 + payload.length)
                    .writeShort(0);
            l4.writeBytes(payload);
            return ip(src, dst, IpProtocol.UDP, l4, 6);
        }

        static ByteBuf icmpEcho(String src, String dst) throws Exception {
            ByteBuf l4 = Unpooled.buffer();
            l4.writeByte(8).writeByte(0).writeShort(0).writeShort(1).writeShort(1);
            l4.setShort(2, ~sum(l4, 0, l4.readableBytes(), 0) & 0xFFFF);
            return ip(src, dst, IpProtocol.ICMP, l4, -1);
        }

        private static ByteBuf ip(String src, String dst, int protocol, ByteBuf l4, int checksumAt) throws Exception {
            byte[] s = InetAddress.getByName(src).getAddress();
            byte[] d = InetAddress.getByName(dst).getAddress();
            int length = l4.readableBytes();
            if (checksumAt >= 0) {
                long pseudo = sum(Unpooled.wrappedBuffer(s), 0, s.length, 0);
                pseudo = sum(Unpooled.wrappedBuffer(d), 0, d.length, pseudo) + protocol + length;
                int c = ~sum(l4, 0, length, pseudo) & 0xFFFF;
                l4.setShort(checksumAt, c == 0 && protocol == IpProtocol.UDP ? 0xFFFF : c);
            }
            ByteBuf ip = Unpooled.buffer();
            if (s.length == 4) {
                ip.writeByte(0x45)
                        .writeByte(0)
                        .writeShort(20 + length)
                        .writeShort(1)
                        .writeShort(0x4000);
                ip.writeByte(64).writeByte(protocol).writeShort(0).writeBytes(s).writeBytes(d);
                ip.setShort(10, ~sum(ip, 0, 20, 0) & 0xFFFF);
            } else {
                ip.writeInt(0x6000_0000).writeShort(length).writeByte(protocol).writeByte(64);
                ip.writeBytes(s).writeBytes(d);
            }
            ip.writeBytes(l4);
            l4.release();
            return ip;
        }

        /** One's-complement sum, folded, byte at a time: the simplest correct form. */
        static int sum(ByteBuf b, int from, int length, long initial) {
            long sum = initial;
            for (int i = 0; i < length; i++) {
                sum += (i % 2 == 0 ? (b.getUnsignedByte(from + i) << 8) : b.getUnsignedByte(from + i));
            }
            while ((sum >>> 16) != 0) {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
            return (int) sum;
        }
    }
}
