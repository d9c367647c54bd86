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
package org.nettydivert.testing;

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
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.opentest4j.TestAbortedException;

/**
 * A Linux network namespace created for one test and deleted by {@link #close()}: the fixture of
 * every kernel end-to-end test.
 *
 * <p>The rule this class exists to enforce: <b>tests never touch the host's own network
 * namespace</b>. Every {@code ip} and {@code iptables} command it runs names the namespace
 * ({@code ip -n NAME}, {@code ip netns exec NAME}), and code that must open sockets or netlink
 * descriptors runs on threads that have entered the namespace ({@link #call}, {@link
 * #threadFactory}). A descriptor stays in the namespace it was created in, so once opened it may
 * be used from any thread.
 *
 * <pre>{@code
 * NetworkNamespace.assumeKernelTestsCanRun();
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
    private static final Path NETNS_DIR = Path.of("/var/run/netns");

    private static final String PROC_NFQUEUE = "/proc/net/netfilter/nfnetlink_queue";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** How many names to try when a namespace of the same name is left over from a crashed JVM. */
    private static final int NAME_ATTEMPTS = 20;

    /** The namespace the current thread has entered through this class, if any. */
    private static final ThreadLocal<NetworkNamespace> ENTERED = new ThreadLocal<>();

    /** Why kernel tests cannot run here ("" when they can); computed once per JVM. */
    private static volatile String skipReason;

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
        Commands.Result added = null;
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
                Commands.Result deleted = Commands.run(List.of(ip, "netns", "del", name), COMMAND_TIMEOUT);
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
        Commands.Result result = execResult(argv);
        check(result);
        return result.stdout();
    }

    private Commands.Result execResult(String... argv) {
        ensureOpen();
        if (argv.length == 0) {
            throw new IllegalArgumentException("no command");
        }
        List<String> command = new ArrayList<>(List.of(tool("ip"), "netns", "exec", name));
        command.addAll(Arrays.asList(argv));
        return Commands.run(command, COMMAND_TIMEOUT);
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
        Commands.Result result = execResult("cat", PROC_NFQUEUE);
        if (!result.ok()) {
            // The file appears when nfnetlink_queue is loaded, which binding any queue does.
            if (result.stderr().contains("No such file")) {
                return null;
            }
            check(result);
        }
        for (QueueStats stats : QueueStats.parseAll(result.stdout())) {
            if (stats.queueNumber() == queueNumber) {
                return stats;
            }
        }
        return null;
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
        Commands.Result deleted = Commands.run(List.of(tool("ip"), "netns", "del", name), COMMAND_TIMEOUT);
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

    /**
     * Makes the calling test skip, with one line saying why, unless kernel end-to-end tests can
     * run here: Linux, root, {@code ip} and {@code iptables} installed, and a network namespace
     * can actually be created (containers may forbid it). The check runs once per JVM, and the
     * reason is printed once to stderr when it is first found, so that the build log says why
     * without repeating it for every skipped test.
     */
    public static void assumeKernelTestsCanRun() {
        String reason = skipReason;
        if (reason == null) {
            synchronized (NetworkNamespace.class) {
                reason = skipReason;
                if (reason == null) {
                    reason = whyKernelTestsCannotRun();
                    if (!reason.isEmpty()) {
                        // Surefire's console counts skipped tests but does not say why (its XML
                        // reports do, per test): this line is the why, once per test JVM.
                        System.err.println(reason);
                    }
                    skipReason = reason;
                }
            }
        }
        if (!reason.isEmpty()) {
            throw new KernelTestsSkipped(reason);
        }
    }

    /**
     * The skip of one kernel test. Without a stack trace: the reason is the whole story, and
     * surefire's report would otherwise follow it, for each skipped test, with some 30 frames of
     * JUnit.
     */
    private static final class KernelTestsSkipped extends TestAbortedException {
        private static final long serialVersionUID = 1L;

        KernelTestsSkipped(String reason) {
            super(reason);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Why kernel tests cannot run here, in one line, or "" when they can. */
    private static String whyKernelTestsCannotRun() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "kernel tests need Linux, this is " + os;
        }
        long uid = effectiveUid();
        if (uid != 0) {
            return "kernel tests need root (uid " + (uid < 0 ? "unknown" : String.valueOf(uid))
                    + "): run as root to include them";
        }
        if (Commands.which("ip").isEmpty()) {
            return "kernel tests need ip: apt-get install iproute2";
        }
        if (Commands.which("iptables").isEmpty()) {
            return "kernel tests need iptables: apt-get install iptables";
        }
        if (Commands.which("ip6tables").isEmpty()) {
            return "kernel tests need ip6tables: apt-get install iptables";
        }
        try (NetworkNamespace probe = create()) {
            probe.iptables("-S");
            return "";
        } catch (RuntimeException | Error e) {
            String message = String.valueOf(e.getMessage()).strip();
            int newline = message.indexOf('\n');
            return "kernel tests cannot use a network namespace here: "
                    + (newline < 0 ? message : message.substring(0, newline));
        }
    }

    /**
     * The effective uid, read from /proc so that no native call is needed before we know we may;
     * -1 when it cannot be read.
     */
    private static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    // Real, effective, saved set and filesystem uid.
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 ? Long.parseLong(ids[1]) : -1;
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static String tool(String program) {
        return Commands.which(program)
                .map(Path::toString)
                .orElseThrow(() -> new IllegalStateException(program + " not found"));
    }

    private static void check(Commands.Result result) {
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
