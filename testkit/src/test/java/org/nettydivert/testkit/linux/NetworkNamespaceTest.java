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
package org.nettydivert.testkit.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nettydivert.testkit.CommandResult;
import org.nettydivert.testkit.platform.Commands;

/** Kernel tests of the namespace fixture itself; skipped with one line where they cannot run. */
class NetworkNamespaceTest {
    private static final Path THREAD_NET_NS = Path.of("/proc/thread-self/ns/net");

    @BeforeEach
    void requireKernel() {
        KernelTests.assumeAvailable();
    }

    @Test
    void isCreatedWithLoopbackUpSoThatUdpToLocalhostArrives() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create();
                DatagramSocket receiver = ns.call(NetworkNamespaceTest::loopbackSocket);
                DatagramSocket sender = ns.call(NetworkNamespaceTest::loopbackSocket)) {
            assertTrue(ns.exec("ip", "-o", "link", "show", "lo").contains("UP"), "lo is up");

            // The sockets were created inside; sending and receiving from this (host) thread
            // still goes through the namespace's loopback.
            byte[] payload = "hello namespace".getBytes(StandardCharsets.US_ASCII);
            sender.send(new DatagramPacket(payload, payload.length, receiver.getLocalSocketAddress()));
            DatagramPacket received = new DatagramPacket(new byte[100], 100);
            receiver.receive(received);

            assertArrayEquals(payload, Arrays.copyOf(received.getData(), received.getLength()));
            assertEquals(sender.getLocalSocketAddress(), received.getSocketAddress());
        }
    }

    @Test
    void callRunsInsideTheNamespaceAndPropagatesExceptions() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            String inside = ns.call(() -> Files.readSymbolicLink(THREAD_NET_NS).toString());

            assertEquals("net:[" + ns.inode() + "]", inside);
            assertNotEquals(Files.readSymbolicLink(THREAD_NET_NS).toString(), inside, "this thread stays outside");
            // Nested calls run directly instead of deadlocking on the single dedicated thread.
            assertEquals(
                    inside,
                    ns.call(() ->
                            ns.call(() -> Files.readSymbolicLink(THREAD_NET_NS).toString())));
            IOException thrown = assertThrows(
                    IOException.class,
                    () -> ns.call(() -> {
                        throw new IOException("from inside");
                    }));
            assertEquals("from inside", thrown.getMessage());
        }
    }

    @Test
    void iptablesRulesAddedInsideDoNotAppearOnTheHost() throws Exception {
        // Reading the host's rules is allowed; changing them never is.
        String hostRules = hostCommand("iptables", "-S");
        String hostRules6 = hostCommand("ip6tables", "-S");
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            ns.iptables("-A", "OUTPUT", "-p", "udp", "--dport", "9999", "-j", "NFQUEUE", "--queue-num", "7");
            ns.ip6tables("-A", "OUTPUT", "-p", "udp", "--dport", "9999", "-j", "NFQUEUE", "--queue-num", "7");

            assertTrue(ns.iptables("-S").contains("--dport 9999 -j NFQUEUE --queue-num 7"), ns.iptables("-S"));
            assertTrue(ns.ip6tables("-S").contains("--dport 9999 -j NFQUEUE --queue-num 7"), ns.ip6tables("-S"));
            assertEquals(hostRules, hostCommand("iptables", "-S"));
            assertEquals(hostRules6, hostCommand("ip6tables", "-S"));
        }
    }

    @Test
    void nfqueueRuleWithoutListenerDropsAndQueueStatsOfUnboundQueueIsNull() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create();
                DatagramSocket queued = ns.call(NetworkNamespaceTest::loopbackSocket);
                DatagramSocket bypassed = ns.call(NetworkNamespaceTest::loopbackSocket);
                DatagramSocket sender = ns.call(NetworkNamespaceTest::loopbackSocket)) {
            ns.iptables("-A", "OUTPUT", "-p", "udp", "--dport", port(queued), "-j", "NFQUEUE", "--queue-num", "7");
            ns.iptables(
                    "-A",
                    "OUTPUT",
                    "-p",
                    "udp",
                    "--dport",
                    port(bypassed),
                    "-j",
                    "NFQUEUE",
                    "--queue-num",
                    "8",
                    "--queue-bypass");

            // Nobody listens on queue 7, so the kernel drops what the rule queues...
            send(sender, queued, "dropped");
            queued.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> queued.receive(new DatagramPacket(new byte[100], 100)));
            // ...unless the rule says --queue-bypass, which accepts instead.
            send(sender, bypassed, "bypassed");
            DatagramPacket received = new DatagramPacket(new byte[100], 100);
            bypassed.receive(received);
            assertEquals(
                    "bypassed", new String(received.getData(), 0, received.getLength(), StandardCharsets.US_ASCII));

            assertNull(ns.queueStats(7));
            assertNull(ns.queueStats(8));
        }
    }

    @Test
    void threadFactoryThreadsRunInsideTheNamespace() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            String expected = "net:[" + ns.inode() + "]";
            CompletableFuture<String> seen = new CompletableFuture<>();
            Thread thread = ns.threadFactory("probe").newThread(() -> {
                try {
                    seen.complete(Files.readSymbolicLink(THREAD_NET_NS).toString());
                } catch (IOException | RuntimeException e) {
                    seen.completeExceptionally(e);
                }
            });
            assertTrue(thread.getName().startsWith("probe-" + ns.name() + "-"), thread.getName());
            thread.start();
            assertEquals(expected, seen.get(10, TimeUnit.SECONDS));
            // ip netns exec runs the command in the same namespace as our threads.
            assertEquals(expected, ns.exec("readlink", "/proc/self/ns/net").strip());
            thread.join();

            // The intended use: a Netty event loop whose descriptors live in the namespace.
            EventLoopGroup group =
                    new MultiThreadIoEventLoopGroup(2, ns.threadFactory("loop"), NioIoHandler.newFactory());
            try {
                for (int i = 0; i < 2; i++) {
                    String loopNs = group.next()
                            .submit(() -> Files.readSymbolicLink(THREAD_NET_NS).toString())
                            .get(10, TimeUnit.SECONDS);
                    assertEquals(expected, loopNs);
                }
            } finally {
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    @Test
    void closeRemovesTheNamespaceAndIsIdempotent() throws Exception {
        NetworkNamespace ns = NetworkNamespace.create();
        String name = ns.name();
        assertTrue(listedNamespaces().contains(name), "created namespace is listed");
        assertTrue(Files.exists(Path.of("/var/run/netns", name)));

        ns.close();

        assertFalse(listedNamespaces().contains(name), "closed namespace is not listed");
        assertFalse(Files.exists(Path.of("/var/run/netns", name)));
        assertDoesNotThrow(ns::close);
        assertThrows(IllegalStateException.class, () -> ns.exec("true"));
        assertThrows(IllegalStateException.class, () -> ns.call(() -> null));
    }

    @Test
    void namesAreUnique() {
        try (NetworkNamespace a = NetworkNamespace.create();
                NetworkNamespace b = NetworkNamespace.create()) {
            assertNotEquals(a.name(), b.name());
            assertNotEquals(a.inode(), b.inode());
            assertTrue(a.name().startsWith("nd-" + ProcessHandle.current().pid() + "-"), a.name());
        }
    }

    @Test
    void execReportsExitCodeAndStderrOfAFailingCommand() {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            assertEquals("out\n", ns.exec("sh", "-c", "echo out; echo ignored >&2"));

            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> ns.exec("sh", "-c", "echo boom >&2; exit 3"));
            assertTrue(e.getMessage().contains("exited with 3"), e.getMessage());
            assertTrue(e.getMessage().contains("boom"), e.getMessage());
        }
    }

    @Test
    void enteringAMissingNamespaceReportsErrno() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> NetworkNamespace.enter(Path.of("/var/run/netns/nd-does-not-exist")));
        assertTrue(e.getMessage().contains("errno 2"), e.getMessage()); // ENOENT
        // A file that is not a namespace: setns refuses it with EINVAL.
        e = assertThrows(IllegalStateException.class, () -> NetworkNamespace.enter(Path.of("/proc/self/status")));
        assertTrue(e.getMessage().contains("errno 22"), e.getMessage());
    }

    @Test
    void fiftyCreateCloseCyclesLeakNoFileDescriptors() throws Exception {
        // One cycle first: loading JNA and the first process launch open descriptors that stay.
        cycle();
        long before = openDescriptors();
        for (int i = 0; i < 50; i++) {
            cycle();
        }
        long after = openDescriptors();
        // A leak in create/close would show as at least 50; the small slack absorbs descriptors
        // the JVM opens on its own (class loading, GC logs) while the loop runs.
        assertTrue(after - before <= 3, "descriptors before " + before + ", after " + after);
    }

    private static void cycle() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            ns.call(() -> null);
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static DatagramSocket loopbackSocket() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        socket.setSoTimeout((int) Duration.ofSeconds(5).toMillis());
        return socket;
    }

    private static String port(DatagramSocket socket) {
        return Integer.toString(socket.getLocalPort());
    }

    private static void send(DatagramSocket from, DatagramSocket to, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
        from.send(new DatagramPacket(payload, payload.length, to.getLocalSocketAddress()));
    }

    private static List<String> listedNamespaces() {
        return Arrays.stream(hostCommand("ip", "netns", "list").split("\n"))
                .map(line -> line.split(" ")[0]) // "name (id: 3)"
                .toList();
    }

    /** Runs a read-only command in the host namespace. */
    private static String hostCommand(String... argv) {
        List<String> command = new ArrayList<>(Arrays.asList(argv));
        command.set(0, Commands.which(argv[0]).orElseThrow().toString());
        CommandResult result = Commands.run(command, Duration.ofSeconds(30));
        assertEquals(0, result.exitCode(), result.describe());
        return result.stdout();
    }
}
