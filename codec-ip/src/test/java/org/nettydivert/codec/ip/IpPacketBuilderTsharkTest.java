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
package org.nettydivert.codec.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Built packets as Wireshark sees them: written to a pcap by {@link PcapWriter}, dissected by
 * {@code tshark}, every field we set read back and every checksum "Good". An independent check of
 * the builder's checksums and layout; skipped where tshark is not installed.
 */
class IpPacketBuilderTsharkTest {
    // Wireshark's checksum status: 1 is Good (0 Bad, 2 Unverified).
    private static final String GOOD = "1";
    private static final String[] FIELDS = {
        "ip.checksum.status",
        "tcp.checksum.status",
        "udp.checksum.status",
        "icmp.checksum.status",
        "icmpv6.checksum.status",
        "ip.src",
        "ipv6.dst",
        "ip.ttl",
        "ip.id",
        "ip.flags.df",
        "ip.dsfield.dscp",
        "ipv6.flow",
        "ipv6.tclass.dscp",
        "ipv6.hlim",
        "tcp.srcport",
        "tcp.flags",
        "tcp.window_size_value",
        "tcp.options.mss_val",
        "tcp.options.wscale.shift",
        "tcp.options.timestamp.tsval",
        "udp.dstport",
        "udp.length",
        "icmp.ident",
        "icmpv6.echo.identifier",
        "data.len"
    };

    @TempDir
    Path tmp;

    @Test
    void tsharkDissectsBuiltPacketsWithGoodChecksums() throws Exception {
        String tshark = findOnPath("tshark");
        Assumptions.assumeTrue(tshark != null, "tshark is not installed: apt-get install tshark to run this check");
        Path pcap = tmp.resolve("built.pcap");
        try (PcapWriter writer = PcapWriter.create(pcap)) {
            write(writer, IpPacketBuilderTest.syn());
            write(writer, IpPacketBuilderTest.udp6());
            write(writer, IpPacketBuilderTest.echo4());
            write(
                    writer,
                    IpPacketBuilder.ip("2001:db8::1", "2001:db8::2")
                            .icmpv6(Icmpv6Header.ECHO_REQUEST, 0)
                            .identifier(0x77)
                            .sequenceNumber(1)
                            .payload(new byte[33]));
            write(
                    writer,
                    IpPacketBuilder.ip("2001:db8::1", "2001:db8::2")
                            .tcp(443, 50000)
                            .flags(TcpHeader.PSH | TcpHeader.ACK)
                            .acknowledgmentNumber(5)
                            .window(1024)
                            .payload(new byte[1001]));
            write(
                    writer,
                    IpPacketBuilder.ip("10.1.2.3", "10.1.2.4")
                            .ttl(1)
                            .dscp(10)
                            .udp(1000, 2000)
                            .payload(new byte[7]));
        }
        List<String> lines = dissect(tshark, pcap);
        // One line per packet, the FIELDS in order, empty where a field is absent.
        // Packets 2 and 5 go to ports tshark dissects as DNS and TLS, so their payload is no "data".
        List<String> expected = List.of(
                "1|1||||192.0.2.1||64|0x1234|1|0||||40000|0x0002|64240|1460|7|1|||||",
                "||1||||2001:db8::2|||||0x0abcde|46|255|||||||53|13|||",
                "1|||1||192.0.2.1||64|0x0000|0|0||||||||||||16962||4",
                "||||1||2001:db8::2|||||0x000000|0|64||||||||||0x0077|33",
                "|1|||||2001:db8::2|||||0x000000|0|64|443|0x0018|1024||||||||",
                "1||1|||10.1.2.3||1|0x0000|0|10||||||||||2000|15|||7");
        assertEquals(String.join("\n", expected), String.join("\n", lines), "tshark's dissection");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), lines.get(i), "packet " + (i + 1));
            String[] f = lines.get(i).split("\\|", -1);
            for (int c = 0; c < 5; c++) {
                assertTrue(f[c].isEmpty() || f[c].equals(GOOD), FIELDS[c] + " of packet " + (i + 1));
            }
        }
    }

    private static void write(PcapWriter writer, IpPacketBuilder.Transport<?> builder) throws IOException {
        ByteBuf buf = builder.build();
        try {
            writer.write(buf);
        } finally {
            buf.release();
        }
    }

    private static List<String> dissect(String tshark, Path pcap) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                tshark,
                "-r",
                pcap.toString(),
                "-o",
                "ip.check_checksum:TRUE",
                "-o",
                "tcp.check_checksum:TRUE",
                "-o",
                "udp.check_checksum:TRUE",
                "-T",
                "fields",
                "-E",
                "separator=|",
                "-E",
                "occurrence=f"));
        for (String field : FIELDS) {
            command.add("-e");
            command.add(field);
        }
        Path out = pcap.resolveSibling("tshark.txt");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("tshark did not finish in 120 s");
        }
        assertEquals(0, process.exitValue(), "tshark exit status");
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }
}
