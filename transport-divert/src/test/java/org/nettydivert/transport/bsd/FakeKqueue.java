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
package org.nettydivert.transport.bsd;

import com.sun.jna.Pointer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nettydivert.transport.unix.Errno;

/**
 * A stand-in for kqueue behind {@link KqueuePoller.Kernel}, reading change lists and writing
 * events at the {@link KeventLayout} offsets. Filters are keyed "ident/filter" as knotes are;
 * changes marked EV_RECEIPT are answered with an EV_ERROR entry each (data 0 or the errno), as
 * FreeBSD and OpenBSD do. A wait reports a triggered EVFILT_USER, a pipe with bytes in it (when
 * its read end is watched), then the entries a test queued.
 */
final class FakeKqueue implements KqueuePoller.Kernel {
    static final int KQ = 3;
    static final int PIPE_READ = 20;
    static final int PIPE_WRITE = 21;

    final KeventLayout layout;
    final Set<String> registered = new LinkedHashSet<>();
    final List<String> changes = new ArrayList<>();
    /** Entries the next wait reports: ident, filter, flags, data. */
    final Deque<long[]> ready = new ArrayDeque<>();
    /** errno for the change of "ident/filter"; absent: accepted. */
    final Map<String, Integer> changeErrors = new HashMap<>();

    final List<Integer> closed = new ArrayList<>();
    /** errno for the next wait; 0: none. */
    int waitError;
    /** The last wait's timeout: null for none, else {seconds, nanoseconds}. */
    long[] lastTimeout;

    int waits;
    int triggers;
    boolean userTriggered;
    int pipeFlags = -1;
    int pipeBytes;
    private int errno;

    FakeKqueue(KeventLayout layout) {
        this.layout = layout;
    }

    @Override
    public int kqueue() {
        return KQ;
    }

    @Override
    public int kevent(int kq, long changeList, int changeCount, long events, int eventCount, long timeout) {
        if (kq != KQ) {
            errno = Errno.EBADF;
            return -1;
        }
        if (changeCount > 0) {
            return applyChanges(changeList, changeCount, events, eventCount);
        }
        waits++;
        lastTimeout =
                timeout == 0 ? null : new long[] {new Pointer(timeout).getLong(0), new Pointer(timeout).getLong(8)};
        if (waitError != 0) {
            errno = waitError;
            waitError = 0;
            return -1;
        }
        int count = 0;
        if (userTriggered && registered.contains(KqueuePoller.WAKEUP_IDENT + "/" + layout.userFilter)) {
            userTriggered = false; // EV_CLEAR
            put(events, count++, KqueuePoller.WAKEUP_IDENT, layout.userFilter, KeventLayout.EV_CLEAR, 0);
        }
        if (pipeBytes > 0 && registered.contains(PIPE_READ + "/" + KeventLayout.EVFILT_READ)) {
            put(events, count++, PIPE_READ, KeventLayout.EVFILT_READ, 0, pipeBytes);
        }
        while (!ready.isEmpty() && count < eventCount) {
            long[] e = ready.poll();
            put(events, count++, e[0], (short) e[1], (int) e[2], e[3]);
        }
        return count;
    }

    private int applyChanges(long changeList, int changeCount, long events, int eventCount) {
        Pointer list = new Pointer(changeList);
        int receipts = 0;
        for (int i = 0; i < changeCount; i++) {
            long at = (long) i * layout.size;
            long ident = list.getLong(at + KeventLayout.IDENT_OFFSET);
            short filter = list.getShort(at + KeventLayout.FILTER_OFFSET);
            int flags = list.getShort(at + KeventLayout.FLAGS_OFFSET) & 0xFFFF;
            int fflags = list.getInt(at + KeventLayout.FFLAGS_OFFSET);
            String key = ident + "/" + filter;
            int error = changeErrors.getOrDefault(key, 0);
            if (error == 0) {
                if ((flags & KeventLayout.EV_ADD) != 0) {
                    registered.add(key);
                    changes.add("add " + key + " flags 0x" + Integer.toHexString(flags));
                } else if ((flags & KeventLayout.EV_DELETE) != 0) {
                    if (registered.remove(key)) {
                        changes.add("delete " + key);
                    } else {
                        error = Errno.ENOENT;
                    }
                } else if (filter == layout.userFilter && (fflags & KeventLayout.NOTE_TRIGGER) != 0) {
                    triggers++;
                    userTriggered = true;
                }
            }
            if ((flags & KeventLayout.EV_RECEIPT) != 0) {
                if (receipts >= eventCount) {
                    throw new AssertionError("no room for the receipt of change " + i);
                }
                put(events, receipts++, ident, filter, KeventLayout.EV_ERROR, error);
            } else if (error != 0) {
                errno = error;
                return -1;
            }
        }
        return receipts;
    }

    private void put(long events, int i, long ident, short filter, int flags, long data) {
        Pointer p = new Pointer(events + (long) i * layout.size);
        p.setLong(KeventLayout.IDENT_OFFSET, ident);
        p.setShort(KeventLayout.FILTER_OFFSET, filter);
        p.setShort(KeventLayout.FLAGS_OFFSET, (short) flags);
        p.setInt(KeventLayout.FFLAGS_OFFSET, 0);
        p.setLong(KeventLayout.DATA_OFFSET, data);
        p.setLong(KeventLayout.UDATA_OFFSET, 0);
    }

    @Override
    public int pipe2(long fds, int flags) {
        pipeFlags = flags;
        new Pointer(fds).setInt(0, PIPE_READ);
        new Pointer(fds).setInt(4, PIPE_WRITE);
        return 0;
    }

    @Override
    public long read(int fd, long buffer, long length) {
        if (fd != PIPE_READ || pipeBytes == 0) {
            errno = Errno.EAGAIN;
            return -1;
        }
        int n = (int) Math.min(length, pipeBytes);
        pipeBytes -= n;
        return n;
    }

    @Override
    public long write(int fd, long buffer, long length) {
        if (fd != PIPE_WRITE) {
            errno = Errno.EBADF;
            return -1;
        }
        pipeBytes += (int) length;
        return length;
    }

    @Override
    public int close(int fd) {
        closed.add(fd);
        return 0;
    }

    @Override
    public int errno() {
        return errno;
    }
}
