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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;

/**
 * {@link PacketMetadata} from the real kernel, end to end, each test in a network namespace of
 * its own: the owner of a socket of another user, the conntrack state of one TCP connection.
 */
@IsolatedNetwork
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NfqueueMetadataTest {
    private static final int QUEUE = 9;
    private static final int PORT = 9898;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Host host;

    @BeforeEach
    void setUp(TestNetwork network) {
        host = network.host();
    }

    /** Binds a channel asking for {@code extras} that writes every packet back and keeps its metadata. */
    private LinkedBlockingQueue<PacketMetadata> divert(PacketMetadata.Extra... extras) throws Exception {
        LinkedBlockingQueue<PacketMetadata> seen = new LinkedBlockingQueue<>();
        EndToEnd.divert(
                host,
                QUEUE,
                new Bootstrap().option(DivertChannelOption.NFQUEUE_METADATA, Set.of(extras)),
                (ctx, packet) -> {
                    seen.add(packet.metadata());
                    ctx.write(packet);
                });
        return seen;
    }

    @Test
    void theOwnerOfTheSendingSocketIsItsUidAndGid() throws Exception {
        host.divert(DivertRule.udp().toPort(PORT).ipv4Only().divertTo(QUEUE));
        LinkedBlockingQueue<PacketMetadata> seen = divert(PacketMetadata.Extra.OWNER);
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT)) {
            // A process of user and group 65534 (nobody) sends one datagram from its own socket.
            EndToEnd.exec(
                    host,
                    "setpriv",
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    "bash",
                    "-c",
                    "echo nobody > /dev/udp/127.0.0.1/" + PORT);
            PacketMetadata nobody = seen.poll(5, TimeUnit.SECONDS);
            assertNotNull(nobody, "the datagram of uid 65534 was diverted");
            assertEquals(65534, nobody.uid());
            assertEquals(65534, nobody.gid());
            assertEquals(PacketMetadata.Hook.LOCAL_OUT, nobody.hook());
            assertEquals("lo", nobody.outInterface());
            assertEquals(0, nobody.inInterfaceIndex());
            assertNull(nobody.inInterface());
            assertEquals("nobody\n", new String(Datagrams.receive(receiver), StandardCharsets.US_ASCII));

            // And this JVM's own socket (root) for contrast.
            try (DatagramSocket sender = EndToEnd.udp(host, LOOPBACK, 0)) {
                sender.send(new java.net.DatagramPacket(new byte[] {1}, 1, LOOPBACK, PORT));
            }
            PacketMetadata root = seen.poll(5, TimeUnit.SECONDS);
            assertNotNull(root);
            assertEquals(0, root.uid());
            assertEquals(0, root.gid());
        }
    }

    @Test
    void withoutAskingTheOwnerIsUnknown() throws Exception {
        host.divert(DivertRule.udp().toPort(PORT).ipv4Only().divertTo(QUEUE));
        LinkedBlockingQueue<PacketMetadata> seen = divert();
        try (DatagramSocket receiver = EndToEnd.udp(host, LOOPBACK, PORT);
                DatagramSocket sender = EndToEnd.udp(host, LOOPBACK, 0)) {
            sender.send(new java.net.DatagramPacket(new byte[] {1}, 1, LOOPBACK, PORT));
            PacketMetadata m = seen.poll(5, TimeUnit.SECONDS);
            assertNotNull(m);
            assertEquals(-1, m.uid());
            assertNull(m.conntrackState());
            assertNotNull(Datagrams.receive(receiver));
        }
    }

    @Test
    void oneTcpConnectionIsNewThenEstablished() throws Exception {
        // -m conntrack loads nf_conntrack in the namespace, so that its packets are tracked.
        EndToEnd.iptables(
                host,
                "-A",
                "OUTPUT",
                "-p",
                "tcp",
                "--dport",
                "" + PORT,
                "-m",
                "conntrack",
                "--ctstate",
                "NEW,ESTABLISHED",
                "-j",
                "NFQUEUE",
                "--queue-num",
                "" + QUEUE);
        // Without conntrack glue in the kernel the channel binds anyway (a WARN): its packets have no state.
        LinkedBlockingQueue<PacketMetadata> seen = divert(PacketMetadata.Extra.CONNTRACK);
        try (ServerSocket server = host.call(() -> new ServerSocket(PORT, 1, LOOPBACK))) {
            host.call(() -> {
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress(LOOPBACK, PORT), 5000);
                    try (Socket accepted = server.accept()) {
                        OutputStream out = client.getOutputStream();
                        out.write("hello".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        InputStream in = accepted.getInputStream();
                        assertEquals('h', in.read());
                    }
                }
                return null;
            });
        }
        List<PacketMetadata> packets = new ArrayList<>();
        for (PacketMetadata m; (m = seen.poll(1, TimeUnit.SECONDS)) != null; ) {
            packets.add(m);
        }
        assertTrue(packets.size() >= 2, "SYN and data were diverted: " + packets);
        PacketMetadata syn = packets.get(0);
        assumeTrue(
                syn.conntrackState() != null,
                "this kernel adds no conntrack state to queued packets (no CONFIG_NETFILTER_NETLINK_GLUE_CT)");
        assertEquals(PacketMetadata.ConntrackState.NEW, syn.conntrackState());
        assertTrue(syn.conntrackId() >= 0);
        PacketMetadata later = packets.get(packets.size() - 1);
        assertEquals(PacketMetadata.ConntrackState.ESTABLISHED, later.conntrackState(), "" + packets);
        assertEquals(syn.conntrackId(), later.conntrackId(), "one connection, one conntrack entry");
    }
}
