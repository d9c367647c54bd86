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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.transport.nfqueue.EpollPoller;
import org.nettydivert.transport.unix.Native;

/**
 * A DivertChannel from bind to close on a real NFQUEUE: what the kernel refuses at bind and how
 * the channel says so, what close does with pending writes, and that every descriptor is closed
 * once. Each test binds in an isolated network of its own (transport-divert's {@code
 * DivertChannelLifecycleTest} has what is refused before the kernel is asked).
 */
@IsolatedNetwork
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DivertChannelLifecycleKernelTest {
    private static final long WAIT_SECONDS = 10;
    private static final int QUEUE = 7;

    private Host host;
    private EventLoopGroup group;
    private final List<DivertChannel> channels = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (DivertChannel channel : channels) {
            channel.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** The test's own network and an event loop whose thread lives in it. */
    @BeforeEach
    void withKernel(TestNetwork network) {
        host = network.host();
        group = host.eventLoopGroup(1, DivertIoHandler.newFactory());
    }

    private DivertChannel registered() throws Exception {
        DivertChannel channel = new DivertChannel();
        channels.add(channel);
        assertTrue(group.register(channel).await(WAIT_SECONDS, TimeUnit.SECONDS));
        return channel;
    }

    private DivertChannel bound(int queue) throws Exception {
        DivertChannel channel = registered();
        ChannelFuture bind = channel.bind(DivertAddress.port(queue));
        assertTrue(bind.await(WAIT_SECONDS, TimeUnit.SECONDS));
        if (!bind.isSuccess()) {
            throw new AssertionError("bind to NFQUEUE " + queue + " failed", bind.cause());
        }
        return channel;
    }

    private static Throwable failure(Future<?> future) throws InterruptedException {
        assertTrue(future.await(WAIT_SECONDS, TimeUnit.SECONDS), "not done");
        assertFalse(future.isSuccess(), "succeeded");
        return future.cause();
    }

    // ---- bind errors from the kernel

    @Test
    void bindingTwiceFails() throws Exception {
        DivertChannel channel = bound(QUEUE);

        Throwable cause = failure(channel.bind(DivertAddress.port(QUEUE + 1)));

        assertTrue(cause.getMessage().contains("already bound"), cause.getMessage());
        assertTrue(channel.isActive(), "the first binding stands");
        assertEquals(DivertAddress.port(QUEUE), channel.localAddress());
    }

    @Test
    void bindingAQueueAnotherChannelHoldsFailsSayingTheQueueIsInUse() throws Exception {
        bound(QUEUE);
        DivertChannel second = registered();

        Throwable cause = failure(second.bind(DivertAddress.port(QUEUE)));

        assertInstanceOf(DivertIoException.class, cause);
        String message = cause.getMessage();
        assertTrue(message.contains("NFQUEUE " + QUEUE), message);
        assertTrue(message.contains("already bound") || message.contains("in use"), message);
        assertFalse(message.contains("needs root"), message);
        assertFalse(second.isActive());
    }

    @Test
    void aQueueCanBeBoundAgainOnceItsChannelIsClosed() throws Exception {
        DivertChannel first = bound(QUEUE);
        assertTrue(first.close().await(WAIT_SECONDS, TimeUnit.SECONDS));

        DivertChannel second = bound(QUEUE);

        assertTrue(second.isActive());
    }

    // ---- close

    @Test
    void closeFailsUnflushedWritesAndReleasesTheirBuffers() throws Exception {
        DivertChannel channel = bound(QUEUE);
        List<ByteBuf> contents = new ArrayList<>();
        List<ChannelFuture> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ByteBuf content = udpPacket(100);
            contents.add(content);
            writes.add(channel.write(new DivertPacket(content, DivertAddress.outbound())));
        }

        assertTrue(channel.close().await(WAIT_SECONDS, TimeUnit.SECONDS));

        for (ChannelFuture write : writes) {
            assertInstanceOf(ClosedChannelException.class, failure(write));
        }
        for (ByteBuf content : contents) {
            assertEquals(0, content.refCnt());
        }
    }

    @Test
    void closeFailsWritesBlockedOnAFullSocketAndReleasesTheirBuffers() throws Exception {
        // Injected packets are queued to this very channel, which never reads them: they stay
        // charged to the raw socket's send buffer until it is full and sendto would block.
        EndToEnd.iptables(
                host, "-A", "OUTPUT", "-d", "127.0.0.2", "-p", "udp", "-j", "NFQUEUE", "--queue-num", "" + QUEUE);
        DivertChannel channel = registered();
        channel.config().setAutoRead(false);
        assertTrue(channel.bind(DivertAddress.port(QUEUE)).await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(channel.isActive());
        int count = 1000;
        List<ByteBuf> contents = new ArrayList<>();
        List<ChannelFuture> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ByteBuf content = udpPacket(1400);
            contents.add(content);
            writes.add(channel.write(new DivertPacket(content, DivertAddress.outbound())));
        }
        channel.flush();
        channel.eventLoop().submit(() -> {}).await(WAIT_SECONDS, TimeUnit.SECONDS);
        long sent = writes.stream().filter(ChannelFuture::isSuccess).count();
        long pending = writes.stream().filter(w -> !w.isDone()).count();
        assumeTrue(pending > 0, "blocked-write test skipped: the raw socket took all " + count + " packets");
        assertEquals(count, sent + pending, "no write failed before close");

        assertTrue(channel.close().await(WAIT_SECONDS, TimeUnit.SECONDS));

        for (ChannelFuture write : writes.subList((int) sent, count)) {
            assertInstanceOf(ClosedChannelException.class, failure(write));
        }
        for (ByteBuf content : contents) {
            assertEquals(0, content.refCnt());
        }
    }

    @Test
    void bindOpensANetlinkAndTwoRawSocketsAndCloseClosesThemAll() throws Exception {
        bound(QUEUE).close().await(WAIT_SECONDS, TimeUnit.SECONDS); // loads what the first bind loads
        DivertChannel channel = registered();
        Set<String> before = openDescriptors();

        assertTrue(channel.bind(DivertAddress.port(QUEUE)).await(WAIT_SECONDS, TimeUnit.SECONDS));
        Set<String> opened = difference(openDescriptors(), before);
        List<String> kinds = new ArrayList<>();
        for (String fd : opened) {
            kinds.add(Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString());
        }
        assertTrue(channel.close().await(WAIT_SECONDS, TimeUnit.SECONDS));
        Set<String> after = openDescriptors();

        assertEquals(3, opened.size(), "netlink, raw IPv4, raw IPv6: " + opened);
        assertTrue(kinds.stream().allMatch(k -> k.startsWith("socket:")), kinds.toString());
        assertEquals(before, after);
    }

    @Test
    void closingTwiceClosesNoDescriptorReusedSinceTheFirstClose() throws Exception {
        DivertChannel channel = registered();
        Set<String> before = openDescriptors();
        assertTrue(channel.bind(DivertAddress.port(QUEUE)).await(WAIT_SECONDS, TimeUnit.SECONDS));
        Set<String> socketFds = difference(openDescriptors(), before);
        assertTrue(channel.close().await(WAIT_SECONDS, TimeUnit.SECONDS));
        // New descriptors take the lowest free numbers: soon those the channel just closed.
        List<Integer> reused = new ArrayList<>();
        try {
            while (!reused.stream()
                    .map(String::valueOf)
                    .collect(Collectors.toSet())
                    .containsAll(socketFds)) {
                int fd = Native.Linux.eventfd(0, EpollPoller.EFD_CLOEXEC);
                assertTrue(fd >= 0 && reused.size() < 1000, "cannot take the channel's old descriptor numbers");
                reused.add(fd);
            }

            channel.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
            channel.deregister().await(WAIT_SECONDS, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);

            for (int fd : reused) {
                Path link = Path.of("/proc/self/fd", String.valueOf(fd));
                assertTrue(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "fd " + fd + " was closed");
                assertEquals(
                        "anon_inode:[eventfd]", Files.readSymbolicLink(link).toString());
            }
        } finally {
            for (int fd : reused) {
                Native.Posix.close(fd);
            }
        }
    }

    @Test
    void aHundredBindAndCloseCyclesLeakNoDescriptor() throws Exception {
        bound(QUEUE).close().await(WAIT_SECONDS, TimeUnit.SECONDS);
        Set<String> before = openDescriptors();

        for (int i = 0; i < 100; i++) {
            DivertChannel channel = bound(QUEUE);
            assertTrue(channel.close().await(WAIT_SECONDS, TimeUnit.SECONDS));
        }

        Set<String> after = openDescriptors();
        assertTrue(difference(after, before).size() <= 2, "left open after 100 cycles: " + difference(after, before));
    }

    @Test
    void shuttingDownTheEventLoopClosesABoundChannelAndItsDescriptors() throws Exception {
        bound(QUEUE).close().await(WAIT_SECONDS, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
        Set<String> before = openDescriptors();

        // Shutdown without a quiet period, as tests and quick exits do, several times: whether
        // the loop is told to close its channels must not depend on when the request lands.
        for (int i = 0; i < 20; i++) {
            group = new MultiThreadIoEventLoopGroup(1, host.threadFactory("divert"), DivertIoHandler.newFactory());
            DivertChannel channel = bound(QUEUE);
            assertTrue(group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));

            assertFalse(channel.isOpen(), "round " + i + ": the channel is still open");
        }

        assertEquals(before, openDescriptors());
    }

    @Test
    void aShutdownRequestedByATaskOfTheLoopStillTellsThePipelineTheChannelWentInactive() throws Exception {
        DivertChannel channel = registered();
        CountDownLatch inactive = new CountDownLatch(1);
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                inactive.countDown();
            }
        });
        assertTrue(channel.bind(DivertAddress.port(QUEUE)).await(WAIT_SECONDS, TimeUnit.SECONDS));
        // Requested while the loop runs its tasks, with no quiet period, the loop stops without
        // prepareToDestroy(); closing the channel afterwards, when it takes no tasks, could not
        // deliver channelInactive (Netty logged "Can't invoke task later as EventLoop rejected it").
        channel.eventLoop().execute(() -> group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS));
        assertTrue(group.terminationFuture().await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertFalse(channel.isOpen());
        assertTrue(channel.closeFuture().isDone());
        assertTrue(inactive.await(WAIT_SECONDS, TimeUnit.SECONDS), "channelInactive was delivered");
    }

    @Test
    void bindingWithoutPrivilegesFailsSayingItNeedsRootOrCapNetAdmin() throws Exception {
        Path dir = Files.createTempDirectory("netty-divert-unprivileged");
        try {
            List<String> classpath = copyClasspathForOtherUsers(dir);
            Path jnaTmp = Files.createDirectories(dir.resolve("jna"));
            Files.setPosixFilePermissions(jnaTmp, PosixFilePermissions.fromString("rwxrwxrwx"));

            String output = EndToEnd.exec(
                    host,
                    "setpriv",
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djna.tmpdir=" + jnaTmp,
                    "-Duser.home=" + jnaTmp,
                    "-cp",
                    String.join(":", classpath),
                    UnprivilegedBind.class.getName(),
                    "" + QUEUE);

            assertTrue(output.startsWith("bind failed: "), output);
            assertTrue(output.contains("needs root or CAP_NET_ADMIN"), output);
            assertTrue(output.contains("NFQUEUE " + QUEUE), output);
        } finally {
            deleteRecursively(dir);
        }
    }

    /** Run as an unprivileged user by the test above: prints how binding a queue failed. */
    static final class UnprivilegedBind {
        public static void main(String[] args) throws Exception {
            MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
            try {
                DivertChannel channel = new DivertChannel();
                group.register(channel).sync();
                ChannelFuture bind = channel.bind(DivertAddress.port(Integer.parseInt(args[0])));
                bind.await();
                System.out.println(
                        bind.isSuccess()
                                ? "bind succeeded"
                                : "bind failed: " + bind.cause().getMessage());
                channel.close().sync();
            } finally {
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
            }
        }
    }

    // ---- helpers

    /** An IPv4 UDP packet from 127.0.0.1 to 127.0.0.2:9 of {@code length} bytes, in direct memory. */
    private static ByteBuf udpPacket(int length) {
        ByteBuf p = Unpooled.directBuffer(length);
        p.writeByte(0x45).writeByte(0).writeShort(length).writeInt(0);
        p.writeByte(64).writeByte(17).writeShort(0);
        p.writeInt(0x7F000001).writeInt(0x7F000002);
        p.writeShort(40000).writeShort(9).writeShort(length - 20).writeShort(0);
        p.writeZero(length - 28);
        return p;
    }

    /** The open descriptor numbers, without the one used to list them. */
    private static Set<String> openDescriptors() throws IOException {
        Set<String> listed;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            listed = fds.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        listed.removeIf(fd -> !Files.exists(Path.of("/proc/self/fd", fd), LinkOption.NOFOLLOW_LINKS));
        return listed;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    /**
     * Copies the classes and jars the child JVM needs where user nobody may read them (the local
     * Maven repository is usually under /root), and returns the class path.
     */
    private static List<String> copyClasspathForOtherUsers(Path dir) throws IOException, URISyntaxException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Class<?>[] anchors = {
            DivertChannel.class, // target/classes
            UnprivilegedBind.class, // target/test-classes
            io.netty.channel.Channel.class,
            io.netty.buffer.ByteBuf.class,
            io.netty.util.ReferenceCounted.class,
            io.netty.resolver.AddressResolver.class,
            com.sun.jna.Native.class
        };
        List<String> classpath = new ArrayList<>();
        for (int i = 0; i < anchors.length; i++) {
            Path source = Path.of(anchors[i]
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path target = dir.resolve(i + "-" + source.getFileName());
            copyReadable(source, target);
            classpath.add(target.toString());
        }
        return classpath;
    }

    private static void copyReadable(Path source, Path target) throws IOException {
        if (Files.isDirectory(source)) {
            try (Stream<Path> tree = Files.walk(source)) {
                for (Path p : tree.toList()) {
                    Path t = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else {
                        Files.copy(p, t);
                        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
        } else {
            Files.copy(source, target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
