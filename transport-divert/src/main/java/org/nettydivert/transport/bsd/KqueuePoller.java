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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import org.nettydivert.transport.DivertIoException;
import org.nettydivert.transport.nfqueue.EpollPoller;
import org.nettydivert.transport.spi.Poller;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Errors;
import org.nettydivert.transport.unix.Native;

/**
 * kqueue with the contract of {@link EpollPoller}: level-triggered readiness, READABLE and
 * WRITABLE as separate EVFILT_READ and EVFILT_WRITE filters that are added and deleted as the
 * interest changes, and a wakeup that works from any thread: EVFILT_USER where the system has
 * it, else a non-blocking pipe whose read end the poller drains.
 *
 * <p>Only the system calls are BSD-only, and they go through {@link Kernel} so that tests on
 * Linux can stand in for kqueue; what goes into them (change lists, timeouts) is also built by
 * static methods that the tests check byte for byte.
 */
public final class KqueuePoller implements Poller {
    /** The calls the poller makes: the kernel's, or a test's stand-in. Results as libc returns them. */
    interface Kernel {
        int kqueue();

        int kevent(int kq, long changes, int changeCount, long events, int eventCount, long timeout);

        int pipe2(long fds, int flags);

        long read(int fd, long buffer, long length);

        long write(int fd, long buffer, long length);

        int close(int fd);

        /** errno of the last failed call. */
        int errno();
    }

    static final Kernel NATIVE = new Kernel() {
        @Override
        public int kqueue() {
            return Native.Kqueue.kqueue();
        }

        @Override
        public int kevent(int kq, long changes, int changeCount, long events, int eventCount, long timeout) {
            return Native.Kqueue.kevent(kq, changes, changeCount, events, eventCount, timeout);
        }

        @Override
        public int pipe2(long fds, int flags) {
            return Native.Posix.pipe2(fds, flags);
        }

        @Override
        public long read(int fd, long buffer, long length) {
            return Native.Posix.read(fd, buffer, length);
        }

        @Override
        public long write(int fd, long buffer, long length) {
            return Native.Posix.write(fd, buffer, length);
        }

        @Override
        public int close(int fd) {
            return Native.Posix.close(fd);
        }

        @Override
        public int errno() {
            return Native.errno();
        }
    };

    static final int TIMESPEC_SIZE = 16;
    static final int TV_SEC_OFFSET = 0;
    static final int TV_NSEC_OFFSET = 8;

    /**
     * The ident of the EVFILT_USER wakeup. Knotes are keyed by ident and filter together, so this
     * cannot collide with descriptor 0's EVFILT_READ.
     */
    static final long WAKEUP_IDENT = 0;

    private static final int MAX_EVENTS = 256;
    /** A descriptor changes at most its two filters at once. */
    private static final int MAX_CHANGES = 2;

    private static final int DRAIN_SIZE = 64;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final KeventLayout layout;
    private final Kernel kernel;
    private final int kq;
    /** The wakeup pipe, or -1 with EVFILT_USER. */
    private final int pipeReadFd;

    private final int pipeWriteFd;
    // Loop thread only.
    private final ByteBuf events;
    private final ByteBuf changes;
    private final ByteBuf timeout = Unpooled.directBuffer(TIMESPEC_SIZE, TIMESPEC_SIZE);
    private final ByteBuf drain = Unpooled.directBuffer(DRAIN_SIZE, DRAIN_SIZE);
    private final int[] readyFds = new int[MAX_EVENTS];
    private final int[] readyOps = new int[MAX_EVENTS];
    // Written once, then only ever read by the kernel: any thread may pass them to a call.
    private final ByteBuf trigger;
    private final ByteBuf noWait = Unpooled.directBuffer(TIMESPEC_SIZE, TIMESPEC_SIZE);
    private final ByteBuf wakeByte = Unpooled.directBuffer(1, 1).writeByte(1);
    private boolean closed;

    public KqueuePoller(KeventLayout layout) throws IOException {
        // Only OpenBSD, which has divert sockets, lacks EVFILT_USER: BsdAbi knows its pipe flags.
        this(layout, NATIVE, layout.hasUserFilter() ? 0 : BsdAbi.current().pipeFlags());
    }

    /** A poller over {@code kernel}; {@code pipeFlags} are pipe2's flags where there is no EVFILT_USER. */
    public KqueuePoller(KeventLayout layout, Kernel kernel, int pipeFlags) throws IOException {
        this.layout = layout;
        this.kernel = kernel;
        this.events = Unpooled.directBuffer(MAX_EVENTS * layout.size, MAX_EVENTS * layout.size);
        this.changes = Unpooled.directBuffer(MAX_CHANGES * layout.size, MAX_CHANGES * layout.size);
        this.trigger = Unpooled.directBuffer(layout.size, layout.size);
        encodeTimespec(noWait, 0, 0);
        encodeUserTrigger(layout, trigger);

        // kqueue descriptors are not inherited across fork(2), so close-on-exec is moot.
        int q = kernel.kqueue();
        if (q < 0) {
            DivertIoException e = Errors.newException("kqueue", kernel.errno(), null);
            releaseBuffers();
            throw e;
        }
        this.kq = q;
        int readFd = -1;
        int writeFd = -1;
        try {
            if (layout.hasUserFilter()) {
                encodeUserWakeupRegistration(layout, changes);
                applyChanges(1);
            } else {
                ByteBuf fds = Unpooled.directBuffer(8, 8);
                try {
                    if (kernel.pipe2(fds.memoryAddress(), pipeFlags) < 0) {
                        throw Errors.newException("pipe2", kernel.errno(), null);
                    }
                    readFd = fds.getIntLE(0);
                    writeFd = fds.getIntLE(4);
                } finally {
                    fds.release();
                }
                applyChanges(encodeChanges(layout, changes, readFd, 0, READABLE));
            }
        } catch (IOException | RuntimeException e) {
            if (readFd >= 0) {
                kernel.close(readFd);
                kernel.close(writeFd);
            }
            kernel.close(kq);
            releaseBuffers();
            throw e;
        }
        this.pipeReadFd = readFd;
        this.pipeWriteFd = writeFd;
    }

    /**
     * Writes into {@code out}, from entry 0, the changes that take {@code fd} from watching {@code
     * oldInterest} to {@code newInterest}, and returns how many. Each asks for a receipt
     * (EV_RECEIPT) so that the kernel reports every change's result instead of stopping at the
     * first failure.
     */
    static int encodeChanges(KeventLayout layout, ByteBuf out, int fd, int oldInterest, int newInterest) {
        int n = 0;
        n = encodeChange(layout, out, n, fd, KeventLayout.EVFILT_READ, READABLE, oldInterest, newInterest);
        n = encodeChange(layout, out, n, fd, KeventLayout.EVFILT_WRITE, WRITABLE, oldInterest, newInterest);
        return n;
    }

    private static int encodeChange(
            KeventLayout layout, ByteBuf out, int n, int fd, short filter, int op, int oldInterest, int newInterest) {
        boolean had = (oldInterest & op) != 0;
        boolean wants = (newInterest & op) != 0;
        if (had == wants) {
            return n;
        }
        int flags = (wants ? KeventLayout.EV_ADD : KeventLayout.EV_DELETE) | KeventLayout.EV_RECEIPT;
        layout.write(out, n, fd, filter, flags, 0, 0, 0);
        return n + 1;
    }

    /** The registration of the EVFILT_USER wakeup; EV_CLEAR resets it once it has been reported. */
    static void encodeUserWakeupRegistration(KeventLayout layout, ByteBuf out) {
        layout.write(
                out,
                0,
                WAKEUP_IDENT,
                layout.userFilter,
                KeventLayout.EV_ADD | KeventLayout.EV_CLEAR | KeventLayout.EV_RECEIPT,
                KeventLayout.NOTE_FFNOP,
                0,
                0);
    }

    /** The change that fires the EVFILT_USER wakeup. */
    static void encodeUserTrigger(KeventLayout layout, ByteBuf out) {
        if (layout.hasUserFilter()) {
            layout.write(out, 0, WAKEUP_IDENT, layout.userFilter, 0, KeventLayout.NOTE_TRIGGER, 0, 0);
        }
    }

    /**
     * Writes {@code nanos} (not negative) as a {@code struct timespec} at {@code index}. Seconds are
     * capped at 2^31 - 1, as Netty's kqueue loop does, because some kernels reject larger ones; the
     * loop then merely wakes once in 68 years.
     */
    static void encodeTimespec(ByteBuf out, int index, long nanos) {
        long seconds = Math.min(nanos / NANOS_PER_SECOND, Integer.MAX_VALUE);
        out.setLongLE(index + TV_SEC_OFFSET, seconds);
        out.setLongLE(index + TV_NSEC_OFFSET, nanos % NANOS_PER_SECOND);
    }

    /** READABLE and/or WRITABLE for a returned entry; end-of-file reports both, as hang-ups do on epoll. */
    static int readyOps(short filter, int flags) {
        if ((flags & KeventLayout.EV_EOF) != 0) {
            return READABLE | WRITABLE;
        }
        if (filter == KeventLayout.EVFILT_READ) {
            return READABLE;
        }
        if (filter == KeventLayout.EVFILT_WRITE) {
            return WRITABLE;
        }
        return 0;
    }

    /** Submits {@code count} changes from {@link #changes} and throws for the first one refused. */
    private void applyChanges(int count) throws IOException {
        if (count == 0) {
            return;
        }
        // The receipts go to the events buffer: poll() has copied out what the caller reads. With
        // every change asking for a receipt the kernel returns at once without collecting events;
        // a kernel that ignored EV_RECEIPT would hand back ready events here instead, which are
        // skipped below and lose nothing, because level-triggered filters are reported again by
        // the next poll (and where a pipe wakes the loop, it is level-triggered too).
        int n = kernel.kevent(
                kq, changes.memoryAddress(), count, events.memoryAddress(), count, noWait.memoryAddress());
        if (n < 0) {
            throw Errors.newException("kevent", kernel.errno(), null);
        }
        for (int i = 0; i < n; i++) {
            if ((layout.flags(events, i) & KeventLayout.EV_ERROR) != 0) {
                long errno = layout.data(events, i);
                if (errno != 0) {
                    throw Errors.newException(
                            "kevent",
                            (int) errno,
                            "changing filter " + layout.filter(events, i) + " of descriptor "
                                    + layout.ident(events, i));
                }
            }
        }
    }

    @Override
    public void add(int fd, int interest) throws IOException {
        applyChanges(encodeChanges(layout, changes, fd, 0, interest));
    }

    @Override
    public void modify(int fd, int oldInterest, int newInterest) throws IOException {
        applyChanges(encodeChanges(layout, changes, fd, oldInterest, newInterest));
    }

    @Override
    public void remove(int fd, int interest) throws IOException {
        // Closing a descriptor removes its filters by itself; this is for descriptors still open.
        applyChanges(encodeChanges(layout, changes, fd, interest, 0));
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        long timeoutAddress = 0;
        if (timeoutNanos >= 0) {
            encodeTimespec(timeout, 0, timeoutNanos);
            timeoutAddress = timeout.memoryAddress();
        }
        int n = kernel.kevent(kq, 0, 0, events.memoryAddress(), MAX_EVENTS, timeoutAddress);
        if (n < 0) {
            int errno = kernel.errno();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw Errors.newException("kevent", errno, null);
        }
        int ready = 0;
        for (int i = 0; i < n; i++) {
            int flags = layout.flags(events, i);
            if ((flags & KeventLayout.EV_ERROR) != 0) {
                // A change that failed: it says nothing about readiness.
                continue;
            }
            short filter = layout.filter(events, i);
            long ident = layout.ident(events, i);
            if (isWakeup(filter, ident)) {
                if (pipeReadFd >= 0) {
                    drainPipe();
                }
                continue;
            }
            // Copied out so that changes the caller makes while handling them may reuse the buffer.
            readyFds[ready] = (int) ident;
            readyOps[ready] = readyOps(filter, flags);
            ready++;
        }
        return ready;
    }

    private boolean isWakeup(short filter, long ident) {
        if (layout.hasUserFilter()) {
            return filter == layout.userFilter && ident == WAKEUP_IDENT;
        }
        return filter == KeventLayout.EVFILT_READ && ident == pipeReadFd;
    }

    private void drainPipe() {
        while (kernel.read(pipeReadFd, drain.memoryAddress(), DRAIN_SIZE) == DRAIN_SIZE) {
            // More may be queued: wakeups from many threads each wrote a byte.
        }
    }

    /**
     * The descriptor of ready entry {@code i}. A descriptor ready both ways may come as two
     * entries, one per filter.
     */
    @Override
    public int readyFd(int i) {
        return readyFds[i];
    }

    @Override
    public int readyOps(int i) {
        return readyOps[i];
    }

    @Override
    public void wakeup() {
        if (pipeReadFd >= 0) {
            // A full pipe (EAGAIN) already holds a wakeup: nothing is lost by ignoring the result.
            kernel.write(pipeWriteFd, wakeByte.memoryAddress(), 1);
        } else {
            kernel.kevent(kq, trigger.memoryAddress(), 1, 0, 0, noWait.memoryAddress());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pipeReadFd >= 0) {
            kernel.close(pipeReadFd);
            kernel.close(pipeWriteFd);
        }
        kernel.close(kq);
        releaseBuffers();
    }

    private void releaseBuffers() {
        events.release();
        changes.release();
        timeout.release();
        drain.release();
        trigger.release();
        noWait.release();
        wakeByte.release();
    }
}
