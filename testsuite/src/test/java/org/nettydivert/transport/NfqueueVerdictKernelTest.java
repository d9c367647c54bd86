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
package org.nettydivert.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;

/**
 * The verdicts other than a plain accept, against the real kernel, each test in a namespace of
 * its own: a repeat with a new mark that a later rule tells apart, a hand-off to a second
 * channel on another queue, and a connmark that a connmark rule sees on the flow's next packet.
 */
@IsolatedNetwork
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NfqueueVerdictKernelTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int PORT = 9977;

    private Host host;

    @BeforeEach
    void setUp(TestNetwork network) {
        host = network.host();
    }

    /** Writes every packet back with the address {@code verdict} makes of its own, keeping the marks seen. */
    private DivertChannel divert(
            int queue, java.util.function.UnaryOperator<DivertAddress> verdict, LinkedBlockingQueue<Integer> marks)
            throws InterruptedException {
        return EndToEnd.divert(host, queue, new Bootstrap(), (ctx, packet) -> {
            marks.add(packet.address().mark());
            ctx.write(packet.withAddress(verdict.apply(packet.address())));
        });
    }

    /**
     * Waits for the channel to count {@code count} packets written back: a datagram can arrive
     * before the sendmsg that let it go has returned and been counted.
     */
    private static void awaitReinjected(DivertChannel channel, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (channel.stats().packetsReinjected() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(count, channel.stats().packetsReinjected());
    }

    private void send(DatagramSocket from, byte[] data) throws Exception {
        host.call(() -> {
            from.send(new DatagramPacket(data, data.length, LOOPBACK, PORT));
            return null;
        });
    }

    @Test
    void aRepeatWithANewMarkRunsTheHookAgainAndALaterRuleMatchesTheMark() throws Exception {
        String port = String.valueOf(PORT);
        EndToEnd.iptables(
                host,
                "-A",
                "OUTPUT",
                "-p",
                "udp",
                "--dport",
                port,
                "-m",
                "mark",
                "--mark",
                "0",
                "-j",
                "NFQUEUE",
                "--queue-num",
                "7");
        EndToEnd.iptables(
                host,
                "-A",
                "OUTPUT",
                "-p",
                "udp",
                "--dport",
                port,
                "-m",
                "mark",
                "--mark",
                "0x10",
                "-j",
                "NFQUEUE",
                "--queue-num",
                "8");
        LinkedBlockingQueue<Integer> first = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Integer> second = new LinkedBlockingQueue<>();
        DivertChannel repeating = divert(7, a -> a.repeat(0x10), first);
        DivertChannel accepting = divert(8, a -> a, second);
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT);
                DatagramSocket sender = EndToEnd.udp(host, LOOPBACK, 0)) {
            for (int i = 0; i < 20; i++) {
                byte[] data = ("repeat " + i).getBytes();
                send(sender, data);
                assertArrayEquals(data, Datagrams.receive(receiver), "datagram " + i);
            }
        }
        assertEquals(20, first.size());
        assertTrue(first.stream().allMatch(m -> m == 0), first.toString());
        assertEquals(20, second.size(), "every repeated packet came through the hook again, to queue 8");
        assertTrue(second.stream().allMatch(m -> m == 0x10), second.toString());
        awaitReinjected(repeating, 20);
        awaitReinjected(accepting, 20);
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, 7));
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, 8));
    }

    @Test
    void aHandOffReachesTheChannelOfTheOtherQueueWhichNoRuleNames() throws Exception {
        host.divert(DivertRule.udp().toPort(PORT).ipv4Only().divertTo(9));
        LinkedBlockingQueue<Integer> first = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Integer> second = new LinkedBlockingQueue<>();
        divert(9, a -> a.handOff(10).withMark(0x22), first);
        DivertChannel handedTo = divert(10, a -> a, second);
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT);
                DatagramSocket sender = EndToEnd.udp(host, LOOPBACK, 0)) {
            for (int i = 0; i < 20; i++) {
                byte[] data = ("hand off " + i).getBytes();
                send(sender, data);
                assertArrayEquals(data, Datagrams.receive(receiver), "datagram " + i);
            }
        }
        assertEquals(20, second.size(), "queue 10 read every packet");
        assertTrue(second.stream().allMatch(m -> m == 0x22), "the mark set with the hand-off: " + second);
        awaitReinjected(handedTo, 20);
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, 9));
        assertEquals(0, EndToEnd.waitUntilQueueEmpty(host, 10));
    }

    /**
     * The first datagram of a flow is queued and written back with connmark 5; a connmark rule
     * ahead of the queue rule accepts the flow's later datagrams, so the channel sees one only.
     */
    @Test
    void aConnmarkSetWithTheVerdictIsSeenByAConnmarkRuleOnTheFlowsNextPackets() throws Exception {
        assumeNetlinkGlueCt();
        String port = String.valueOf(PORT);
        EndToEnd.iptables(
                host, "-A", "OUTPUT", "-p", "udp", "--dport", port, "-m", "connmark", "--mark", "5", "-j", "ACCEPT");
        EndToEnd.iptables(host, "-A", "OUTPUT", "-p", "udp", "--dport", port, "-j", "NFQUEUE", "--queue-num", "11");
        LinkedBlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
        divert(11, a -> a.withConnmark(5), seen);
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT);
                DatagramSocket sender = EndToEnd.udp(host, LOOPBACK, 0)) {
            for (int i = 0; i < 10; i++) {
                byte[] data = ("connmark " + i).getBytes();
                send(sender, data);
                assertNotNull(Datagrams.receive(receiver), "datagram " + i);
            }
        }
        assertEquals(1, seen.size(), "the later datagrams matched -m connmark --mark 5");
        String counters = EndToEnd.iptables(host, "-L", "OUTPUT", "-v", "-x", "-n");
        assertTrue(
                counters.lines()
                        .anyMatch(l -> l.contains("connmark match") && l.trim().startsWith("9 ")),
                counters);
    }

    /**
     * The kernel reads NFQA_CT only when built with CONFIG_NETFILTER_NETLINK_GLUE_CT, which
     * registers the ctnetlink glue that parses it (nfnl_ct_hook); without it the attribute is
     * ignored without an error.
     */
    private static void assumeNetlinkGlueCt() throws IOException {
        Path config = Path.of("/proc/config.gz");
        if (!Files.isReadable(config)) {
            return; // unknown: try
        }
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(config))) {
            List<String> lines = new String(in.readAllBytes()).lines().toList();
            Assumptions.assumeTrue(
                    lines.contains("CONFIG_NETFILTER_NETLINK_GLUE_CT=y"),
                    "this kernel ignores NFQA_CT: built without CONFIG_NETFILTER_NETLINK_GLUE_CT");
        }
    }
}
