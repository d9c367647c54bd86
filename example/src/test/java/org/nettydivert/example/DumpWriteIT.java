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
import org.nettydivert.testing.NetworkNamespace;
import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.DivertPacket;

/**
 * {@code dump --write FILE} against the kernel, the packaged jar run as a user would, in a network
 * namespace of its own: the file holds what was diverted, also when dump is ended by SIGTERM.
 */
class DumpWriteIT {
    private static final String SCRIPT = String.join(
            "\n",
            "set -eu",
            "jar=$1; file=$2; ns=nd-dumpwrite-$$",
            "cleanup() { [ -n \"${pid:-}\" ] && kill $pid 2>/dev/null; ip netns del $ns 2>/dev/null || true; }",
            "trap cleanup EXIT",
            "ip netns add $ns; ip -n $ns link set lo up",
            "ip netns exec $ns iptables -A OUTPUT -p udp --dport 7777 -m mark ! --mark 0x4456 -j NFQUEUE --queue-num 7",
            "ip netns exec $ns iptables -A OUTPUT -p tcp --dport 7777 -j NFQUEUE --queue-num 7",
            "ip netns exec $ns iptables -A OUTPUT -p tcp --sport 7777 -j NFQUEUE --queue-num 7",
            "ip netns exec $ns java -jar $jar dump --port 7 --write $file & pid=$!",
            "for _ in $(seq 1 100); do",
            "  ip netns exec $ns awk '$1 == 7 { f = 1 } END { exit !f }' /proc/net/netfilter/nfnetlink_queue && break",
            "  sleep 0.1",
            "done",
            "ip netns exec $ns java -jar $jar traffic --port 7777",
            "sleep 0.5; kill -TERM $pid; wait $pid || true; pid=",
            "");

    @Test
    void dumpWritesWhatItSeesAsPcapng(@TempDir Path tmp) throws Exception {
        NetworkNamespace.assumeKernelTestsCanRun();
        Path jar = Path.of("target/netty-divert-example.jar").toAbsolutePath();
        Path file = tmp.resolve("seen.pcapng");
        Process p = new ProcessBuilder("bash", "-c", SCRIPT, "dump-write", jar.toString(), file.toString())
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
