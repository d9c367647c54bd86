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
package org.nettydivert.transport.unix;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.nettydivert.transport.DivertIoException;

/**
 * A network namespace other than the process's, held open by a descriptor, in which sockets can
 * be opened. A socket stays in the namespace it was created in whatever thread uses it later, so
 * only its creation has to happen inside: {@link #call} runs a task on a thread of its own that
 * enters the namespace with setns and ends with the task. No thread of the caller ever changes
 * namespace, and none is left inside (Linux).
 */
public final class NetNamespace implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    /** Makes setns refuse a descriptor that is not a network namespace. */
    private static final int CLONE_NEWNET = 0x40000000;

    private final String path;
    private volatile int fd;

    private NetNamespace(String path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * The path of a namespace given by {@code name}: a name as {@code ip netns} keeps them
     * ({@code /var/run/netns/NAME}), or a path (anything with a slash, such as {@code
     * /proc/PID/ns/net}).
     */
    public static String path(String name) {
        return name.indexOf('/') >= 0 ? name : "/var/run/netns/" + name;
    }

    /** Opens the namespace {@code name} (see {@link #path}). */
    public static NetNamespace open(String name) throws DivertIoException {
        String path = path(name);
        int fd = Native.Linux.open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.errno();
            throw Errors.newException(
                    "open(" + path + ")",
                    errno,
                    errno == Errno.ENOENT
                            ? "no network namespace " + name + " (ip netns list shows the named ones)"
                            : "cannot open network namespace " + name);
        }
        return new NetNamespace(path, fd);
    }

    public String path() {
        return path;
    }

    /**
     * Runs {@code task} inside the namespace, on a new thread, and returns what it returns.
     *
     * @param task what to do inside, such as opening sockets
     * @return the task's result
     * @throws IOException what the task threw, or why the namespace could not be entered
     */
    public synchronized <T> T call(Callable<T> task) throws IOException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        int descriptor = fd;
                        if (descriptor < 0) {
                            throw new IOException("network namespace " + path + " is closed");
                        }
                        Errors.check("setns(" + path + ")", Native.Linux.setns(descriptor, CLONE_NEWNET));
                        result.set(task.call());
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                },
                "divert-netns");
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the task holds descriptors: wait for it whatever happens
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t instanceof IOException) {
            throw (IOException) t;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t != null) {
            throw new IOException(t);
        }
        return result.get();
    }

    @Override
    public synchronized void close() {
        // Synchronized with call: its thread never sees the descriptor closed under it.
        int descriptor = fd;
        fd = -1;
        if (descriptor >= 0) {
            Native.Posix.close(descriptor);
        }
    }
}
