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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nettydivert.codec.ip.ChecksumStatus;
import org.nettydivert.codec.ip.IpPacket;
import org.nettydivert.codec.ip.IpProtocol;
import org.nettydivert.codec.ip.PcapFormat;
import org.nettydivert.codec.ip.PcapReader;
import org.nettydivert.codec.ip.PcapRecord;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.testkit.linux.NetworkNamespace;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * {@code dump --write FILE} against the kernel, the packaged jar run as a user would, in an
 * isolated network of its own (its rules the testkit's): the file holds what was diverted, also when dump is ended by SIGTERM.
 */
@IsolatedNetwork
class DumpWriteIT {
    private static final String SCRIPT = String.join(
            "\n",
            "set -eu",
            "jar=$1; file=$2; ns=$3",
            "cleanup() { [ -n \"${pid:-}\" ] && kill $pid 2>/dev/null || true; }",
            "trap cleanup EXIT",
            "ip netns exec $ns java -jar $jar dump --port 7 --write $file & pid=$!",
            "for _ in $(seq 1 100); do",
            "  ip netns exec $ns awk '$1 == 7 { f = 1 } END { exit !f }' /proc/net/netfilter/nfnetlink_queue && break",
            "  sleep 0.1",
            "done",
            "ip netns exec $ns java -jar $jar traffic --port 7777",
            "sleep 0.5; kill -TERM $pid; wait $pid || true; pid=",
            "");

    @Test
    void dumpWritesWhatItSeesAsPcapng(@TempDir Path tmp, TestNetwork network) throws Exception {
        Host host = network.host();
        host.divert(
                DivertRule.udp().toPort(7777).ipv4Only().divertTo(7),
                DivertRule.tcp().toPort(7777).ipv4Only().divertTo(7),
                DivertRule.tcp().fromPort(7777).ipv4Only().divertTo(7));
        Path jar = Path.of("target/netty-divert-example.jar").toAbsolutePath();
        Path file = tmp.resolve("seen.pcapng");
        Process p = new ProcessBuilder(
                        "bash",
                        "-c",
                        SCRIPT,
                        "dump-write",
                        jar.toString(),
                        file.toString(),
                        NetworkNamespace.of(host).name())
                .redirectErrorStream(true)
                .start();
        String output;
        try {
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the script finished");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), output);
        // The count of TCP segments may vary (delayed ACKs): whatever dump saw, the file holds.
        java.util.regex.Matcher totals = java.util.regex.Pattern.compile(
                        "dump: (\\d+) packets, (\\d+) written to " + java.util.regex.Pattern.quote(file.toString()))
                .matcher(output);
        assertTrue(totals.find(), output);
        assertEquals(totals.group(1), totals.group(2), output);
        List<String> seen = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(file)) {
            assertEquals(PcapFormat.PCAPNG, reader.format());
            for (PcapRecord r; (r = reader.next()) != null; ) {
                IpPacket packet = IpPacket.decode(new DivertPacket(r.content().retain(), DivertAddress.outbound()));
                // The channel completes offloaded checksums as it reads: what dump saw is whole.
                assertEquals(ChecksumStatus.GOOD, packet.checksumStatus(), packet.toString());
                seen.add(IpProtocol.name(packet.protocol()) + " " + packet.destinationPort());
                packet.release();
                r.release();
            }
        }
        assertEquals(Integer.parseInt(totals.group(1)), seen.size(), seen.toString());
        assertEquals(List.of("UDP 7777", "UDP 7777", "UDP 7777"), seen.subList(0, 3));
    }
}
