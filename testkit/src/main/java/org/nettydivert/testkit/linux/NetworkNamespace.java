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

import com.sun.jna.Native;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.nettydivert.testkit.CommandResult;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.platform.Commands;

/**
 * A Linux network namespace created for one test and deleted by {@link #close()}: the host of the
 * testkit on Linux.
 *
 * <p>The rule this class exists to enforce: <b>tests never touch the host's own network
 * namespace</b>. Every {@code ip} and {@code iptables} command it runs names the namespace
 * ({@code ip -n NAME}, {@code ip netns exec NAME}), and code that must open sockets or netlink
 * descriptors runs on threads that have entered the namespace ({@link #call}, {@link
 * #threadFactory}). A descriptor stays in the namespace it was created in, so once opened it may
 * be used from any thread.
 *
 * <pre>{@code
 * try (NetworkNamespace ns = NetworkNamespace.create()) {
 *     ns.iptables("-A", "OUTPUT", "-p", "udp", "--dport", "9999", "-j", "NFQUEUE", "--queue-num", "7");
 *     EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, ns.threadFactory("loop"), factory);
 *     DatagramSocket socket = ns.call(() -> new DatagramSocket(0, InetAddress.getLoopbackAddress()));
 *     ...
 * }
 * }</pre>
 */
public final class NetworkNamespace implements AutoCloseable {
    /** Where {@code ip netns} keeps the bind mounts that name namespaces (iproute2's NETNS_RUN_DIR). */
    static final Path NETNS_DIR = Path.of("/var/run/netns");

    private static final String PROC_NFQUEUE = "/proc/net/netfilter/nfnetlink_queue";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** How many names to try when a namespace of the same name is left over from a crashed JVM. */
    private static final int NAME_ATTEMPTS = 20;

    /** The namespace the current thread has entered through this class, if any. */
    private static final ThreadLocal<NetworkNamespace> ENTERED = new ThreadLocal<>();

    private final String name;
    private final Path file;
    private final long inode;
    private final ExecutorService thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger threadCounter = new AtomicInteger();

    private NetworkNamespace(String name) {
        this.name = name;
        this.file = NETNS_DIR.resolve(name);
        this.inode = inodeOf(file);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Creates a uniquely named namespace ({@code nd-<pid>-<counter>}) with {@code lo} up. If any
     * step after {@code ip netns add} fails, the namespace is deleted again before the exception
     * propagates, so a failed create leaves nothing behind.
     */
    public static NetworkNamespace create() {
        String ip = tool("ip");
        long pid = ProcessHandle.current().pid();
        CommandResult added = null;
        String name = null;
        for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
            name = "nd-" + pid + "-" + COUNTER.incrementAndGet();
            added = Commands.run(List.of(ip, "netns", "add", name), COMMAND_TIMEOUT);
            // A leftover of a crashed JVM that had our pid: not ours to delete, so take the next name.
            if (added.ok() || !added.stderr().contains("File exists")) {
                break;
            }
        }
        if (!added.ok()) {
            throw new IllegalStateException("cannot create network namespace: " + added.describe());
        }
        NetworkNamespace ns = null;
        try {
            ns = new NetworkNamespace(name);
            // A new namespace has only lo, and it is down: nothing, not even 127.0.0.1, works.
            check(Commands.run(List.of(ip, "-n", name, "link", "set", "lo", "up"), COMMAND_TIMEOUT));
            // Enter the namespace on the dedicated thread now, so that a failing setns is
            // reported here rather than by the first call().
            ns.call(() -> null);
            return ns;
        } catch (RuntimeException | Error e) {
            if (ns != null) {
                closeAfterFailure(ns, e);
            } else {
                CommandResult deleted = Commands.run(List.of(ip, "netns", "del", name), COMMAND_TIMEOUT);
                if (!deleted.ok()) {
                    e.addSuppressed(new IllegalStateException(deleted.describe()));
                }
            }
            throw e;
        } catch (Exception e) {
            closeAfterFailure(ns, e);
            throw new IllegalStateException("cannot enter network namespace " + name, e);
        }
    }

    /**
     * The namespace a Linux {@link Host} of a {@link org.nettydivert.testkit.TestNetwork} lives in:
     * for tests that need what only Linux has, such as the namespace's name for {@code
     * DivertChannelOption.NETWORK_NAMESPACE} or the kernel's per-queue counters ({@link
     * #queueStats}). The kit still owns it: it is deleted when the test ends, so do not close it.
     * This package is not exported from the testkit's module: tests that use it run on the class
     * path (as surefire's {@code useModulePath=false} does).
     *
     * @throws IllegalArgumentException when {@code host} is not a host of the Linux platform
     */
    public static NetworkNamespace of(Host host) {
        if (host instanceof LinuxHost linux) {
            return linux.ns;
        }
        throw new IllegalArgumentException(host + " is not a Linux network namespace");
    }

    private static void closeAfterFailure(NetworkNamespace ns, Throwable failure) {
        try {
            ns.close();
        } catch (RuntimeException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    /** The namespace's name as {@code ip netns list} shows it. */
    public String name() {
        return name;
    }

    /**
     * The namespace's inode number: {@code readlink /proc/thread-self/ns/net} prints {@code
     * net:[inode]} on a thread inside it.
     */
    public long inode() {
        return inode;
    }

    /**
     * Runs {@code argv} inside the namespace ({@code ip netns exec NAME argv...}).
     *
     * @return the command's stdout
     * @throws IllegalStateException when the command fails, with its exit code and stderr
     */
    public String exec(String... argv) {
        CommandResult result = run(argv);
        check(result);
        return result.stdout();
    }

    /**
     * Runs {@code argv} inside the namespace and returns what it did, failed or not, under the
     * name {@code argv}.
     */
    public CommandResult run(String... argv) {
        ensureOpen();
        if (argv.length == 0) {
            throw new IllegalArgumentException("no command");
        }
        List<String> command = new ArrayList<>(List.of(tool("ip"), "netns", "exec", name));
        // ip, iptables and the like live in sbin, which a PATH (a user's, or sudo's) may lack.
        command.add(
                argv[0].contains("/")
                        ? argv[0]
                        : Commands.which(argv[0]).map(Path::toString).orElse(argv[0]));
        command.addAll(Arrays.asList(argv).subList(1, argv.length));
        CommandResult result = Commands.run(command, COMMAND_TIMEOUT);
        // Reported as the caller wrote it: the "ip netns exec" around it is ours, not theirs.
        return new CommandResult(List.of(argv), result.exitCode(), result.stdout(), result.stderr());
    }

    /** Runs {@code iptables args...} inside the namespace and returns its stdout. */
    public String iptables(String... args) {
        return exec(prepend(tool("iptables"), args));
    }

    /** Runs {@code ip6tables args...} inside the namespace and returns its stdout. */
    public String ip6tables(String... args) {
        return exec(prepend(tool("ip6tables"), args));
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /**
     * Runs {@code task} on this namespace's dedicated thread, which has entered the namespace,
     * and waits for its result. Use it to create sockets inside the namespace.
     *
     * <p>One long-lived thread rather than a fresh one per call: setns costs a syscall and an
     * open, and tests call this often.
     *
     * @throws Exception whatever {@code task} throws, unwrapped
     */
    public <T> T call(Callable<T> task) throws Exception {
        ensureOpen();
        if (ENTERED.get() == this) {
            // Already inside (a nested call, or a threadFactory thread): queueing the task for
            // the dedicated thread could deadlock and would gain nothing.
            return task.call();
        }
        Future<T> future = thread.submit(() -> {
            // Re-checked on every task: should the executor ever replace its thread, the new
            // one must enter the namespace before running anything.
            enterCurrentThread();
            return task.call();
        });
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        }
    }

    /**
     * A thread factory whose threads enter the namespace before running their task: pass it to
     * a Netty event-loop group so that the descriptors the loop opens live in the namespace.
     * Threads are daemons named {@code prefix-NAME-n}. A thread that cannot enter the namespace
     * (for instance because it was started after {@link #close()}) throws instead of running its
     * task: running it in the host's namespace would be worse than not running it.
     */
    public ThreadFactory threadFactory(String prefix) {
        return runnable -> {
            Runnable entering = () -> {
                enterCurrentThread();
                runnable.run();
            };
            // FastThreadLocalThread, as Netty's own DefaultThreadFactory makes, so that Netty's
            // thread-locals take their fast path on event-loop threads.
            Thread t = new FastThreadLocalThread(entering, prefix + "-" + name + "-" + threadCounter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The counters of NFQUEUE queue {@code queueNumber} in this namespace, or {@code null} when
     * no socket is bound to that queue here.
     *
     * <p>Read with {@code cat} inside the namespace: {@code /proc/net} shows the namespace of the
     * process reading it, so reading it from this JVM would show the host's queues.
     */
    public QueueStats queueStats(int queueNumber) {
        for (QueueStats stats : allQueueStats()) {
            if (stats.queueNumber() == queueNumber) {
                return stats;
            }
        }
        return null;
    }

    /** The counters of every NFQUEUE queue bound in this namespace. */
    public List<QueueStats> allQueueStats() {
        CommandResult result = run("cat", PROC_NFQUEUE);
        if (!result.ok()) {
            // The file appears when nfnetlink_queue is loaded, which binding any queue does.
            if (result.stderr().contains("No such file")) {
                return List.of();
            }
            check(result);
        }
        return QueueStats.parseAll(result.stdout());
    }

    /**
     * Stops the dedicated thread and deletes the namespace. Idempotent. Threads made by {@link
     * #threadFactory} keep the namespace alive until they end (the kernel frees a namespace
     * when nothing refers to it), but its name is gone at once: shut event-loop groups down
     * before closing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        thread.shutdownNow();
        boolean stopped;
        try {
            stopped = thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = false;
        }
        CommandResult deleted = Commands.run(List.of(tool("ip"), "netns", "del", name), COMMAND_TIMEOUT);
        if (!deleted.ok()) {
            throw new IllegalStateException("cannot delete network namespace " + name + ": " + deleted.describe());
        }
        if (!stopped) {
            throw new IllegalStateException("the thread of network namespace " + name + " did not stop");
        }
    }

    @Override
    public String toString() {
        return "NetworkNamespace[" + name + (closed.get() ? ", closed]" : "]");
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("network namespace " + name + " is closed");
        }
    }

    /** Moves the calling thread into this namespace, unless it is already there. */
    private void enterCurrentThread() {
        if (ENTERED.get() == this) {
            return;
        }
        enter(file);
        ENTERED.set(this);
    }

    /**
     * Moves the calling thread into the network namespace named by {@code nsFile}. setns with
     * CLONE_NEWNET changes only the calling thread, which is what makes per-thread namespaces
     * possible in a multi-threaded JVM; it needs a descriptor, hence open(2) rather than Java's
     * file API.
     */
    static void enter(Path nsFile) {
        int fd = NamespaceLibc.open(nsFile.toString(), NamespaceLibc.O_RDONLY | NamespaceLibc.O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw new IllegalStateException("open(" + nsFile + ") failed: errno " + errno);
        }
        try {
            if (NamespaceLibc.setns(fd, NamespaceLibc.CLONE_NEWNET) != 0) {
                int errno = Native.getLastError();
                throw new IllegalStateException("setns(" + nsFile + ", CLONE_NEWNET) failed: errno " + errno
                        + (errno == 1
                                ? " (EPERM: needs CAP_SYS_ADMIN)"
                                : errno == 22 ? " (EINVAL: not a network namespace)" : ""));
            }
        } finally {
            NamespaceLibc.close(fd);
        }
    }

    static String tool(String program) {
        return Commands.which(program)
                .map(Path::toString)
                .orElseThrow(() -> new IllegalStateException(program + " not found"));
    }

    private static void check(CommandResult result) {
        if (!result.ok()) {
            throw new IllegalStateException(result.describe());
        }
    }

    private static long inodeOf(Path nsFile) {
        try {
            return ((Number) Files.getAttribute(nsFile, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + nsFile, e);
        }
    }
}
