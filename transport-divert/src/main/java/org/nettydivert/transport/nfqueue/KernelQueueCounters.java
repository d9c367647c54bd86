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
package org.nettydivert.transport.nfqueue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.nettydivert.transport.DivertChannel;

/**
 * The kernel's own counters for one NFQUEUE queue, from {@code /proc/net/netfilter/nfnetlink_queue}
 * as seen from the network namespace the queue was bound in.
 *
 * <p>That file shows the namespace of the thread that reads it ({@code /proc/net} is a link to
 * {@code /proc/self/net}, and the event loop thread may live in another namespace than the
 * caller of {@link DivertChannel#stats()}), so the path is fixed once, on the event loop thread
 * that binds the queue, through its own task directory: {@code /proc/PID/task/TID/net/...}
 * reads that thread's namespace from any thread. Each line is {@code "%5u %6u %5u %1u %5u %5u
 * %5u %8u %2d"}: queue number, peer port id, packets waiting, copy mode, copy range, dropped
 * because the queue was full, dropped because the socket could not take them, last id, and a
 * constant 1 (net/netfilter/nfnetlink_queue.c, {@code seq_show}).
 */
public final class KernelQueueCounters {
    private static final int QUEUE_DROPPED = 5;
    private static final int USER_DROPPED = 6;
    private static final int COLUMNS = 9;

    private final Path file;
    /**
     * The file opened inside a namespace that no thread of ours stays in (a channel bound with
     * NETWORK_NAMESPACE): a proc/net file is of the namespace it was opened in, and reading it
     * again from offset 0 gives the current values. Null for the path kind.
     */
    private final FileChannel opened;

    private final int queue;
    // The last values read: kept when the file cannot be read any more (the loop thread ended).
    private volatile long queueDrops;
    private volatile long socketDrops;

    private KernelQueueCounters(Path file, int queue) {
        this(file, null, queue);
    }

    private KernelQueueCounters(Path file, FileChannel opened, int queue) {
        this.file = file;
        this.opened = opened;
        this.queue = queue;
    }

    /**
     * Counters of {@code queue} in the calling thread's network namespace, read from a file
     * opened now and kept open until {@link #close}: for a thread that leaves the namespace or
     * ends right after the bind (see {@code NetNamespace}).
     */
    public static KernelQueueCounters openedInCallingThread(int queue) {
        Path file = Path.of("/proc/thread-self/net/netfilter/nfnetlink_queue");
        try {
            return new KernelQueueCounters(file, FileChannel.open(file, StandardOpenOption.READ), queue);
        } catch (IOException | UnsupportedOperationException e) {
            return new KernelQueueCounters(null, queue); // no procfs: the counters stay 0
        }
    }

    /** Closes the file kept open, if any; the last values stay. */
    public void close() {
        if (opened != null) {
            try {
                opened.close();
            } catch (IOException e) {
                // Nothing more to read from it either way.
            }
        }
    }

    private String readOpened() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        long position = 0;
        while (true) {
            int n = opened.read(buffer, position);
            if (n <= 0) {
                break;
            }
            position += n;
            if (!buffer.hasRemaining()) {
                buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }

    /** Counters of {@code queue} in the calling thread's network namespace; call it on the thread that binds it. */
    public static KernelQueueCounters ofCallingThread(int queue) {
        Path file;
        try {
            // "/proc/thread-self" links to "PID/task/TID".
            file = Path.of("/proc")
                    .resolve(Files.readSymbolicLink(Path.of("/proc/thread-self")))
                    .resolve("net/netfilter/nfnetlink_queue");
        } catch (IOException | UnsupportedOperationException e) {
            file = null; // no procfs: the counters stay 0
        }
        return new KernelQueueCounters(file, queue);
    }

    /** Reads the file again; the values stay as they were when it cannot be read or lacks the queue. */
    public void refresh() {
        if (file == null) {
            return;
        }
        String content;
        try {
            content = opened != null ? readOpened() : new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return;
        }
        long[] values = parse(content, queue);
        if (values != null) {
            queueDrops = values[0];
            socketDrops = values[1];
        }
    }

    /** Packets dropped because the queue was full ({@code queue_dropped}). */
    public long queueDrops() {
        return queueDrops;
    }

    /** Packets dropped because the netlink socket could not take them ({@code queue_user_dropped}). */
    public long socketDrops() {
        return socketDrops;
    }

    /**
     * {@code {queue_dropped, queue_user_dropped}} of {@code queue} in the file's {@code content},
     * or null when no line is for that queue. A line that does not have the kernel's nine columns
     * is not read, so that a changed format gives no misread counters.
     */
    static long[] parse(String content, int queue) {
        for (String line : content.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length != COLUMNS || !columns[0].equals(Integer.toString(queue))) {
                continue;
            }
            try {
                return new long[] {Long.parseLong(columns[QUEUE_DROPPED]), Long.parseLong(columns[USER_DROPPED])};
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
