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

import com.sun.jna.Platform;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import org.nettydivert.transport.DivertIoException;
import org.nettydivert.transport.spi.Poller;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Errors;
import org.nettydivert.transport.unix.Native;

/** Level-triggered epoll with an eventfd for wakeups. */
public final class EpollPoller implements Poller {
    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    /** {@code struct epoll_event} is packed on x86-64 only (12 bytes); elsewhere data is 8-aligned. */
    static final int EVENT_SIZE = Platform.isIntel() ? 12 : 16;

    static final int EVENT_DATA_OFFSET = Platform.isIntel() ? 4 : 8;

    private static final int MAX_EVENTS = 256;

    private final int epfd;
    private final int eventfd;
    private final ByteBuf events = Unpooled.directBuffer(MAX_EVENTS * EVENT_SIZE);
    private final ByteBuf scratch = Unpooled.directBuffer(16);
    // Only ever read by the kernel, so any thread may pass it to write(2) at the same time.
    private final ByteBuf one = Unpooled.directBuffer(8).writeLongLE(1);

    public EpollPoller() throws IOException {
        int ep = Native.Linux.epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0) {
            release();
            throw Errors.newException("epoll_create1");
        }
        int ev = Native.Linux.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (ev < 0) {
            DivertIoException e = Errors.newException("eventfd");
            Native.Posix.close(ep);
            release();
            throw e;
        }
        this.epfd = ep;
        this.eventfd = ev;
        try {
            control(EPOLL_CTL_ADD, eventfd, EPOLLIN);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private static int toEpoll(int interest) {
        return ((interest & READABLE) != 0 ? EPOLLIN : 0) | ((interest & WRITABLE) != 0 ? EPOLLOUT : 0);
    }

    private void control(int op, int fd, int epollEvents) throws IOException {
        scratch.setIntLE(0, epollEvents);
        scratch.setLongLE(EVENT_DATA_OFFSET, fd);
        if (Native.Linux.epoll_ctl(epfd, op, fd, scratch.memoryAddress()) < 0) {
            throw Errors.newException("epoll_ctl");
        }
    }

    @Override
    public void add(int fd, int interest) throws IOException {
        control(EPOLL_CTL_ADD, fd, toEpoll(interest));
    }

    @Override
    public void modify(int fd, int oldInterest, int newInterest) throws IOException {
        control(EPOLL_CTL_MOD, fd, toEpoll(newInterest));
    }

    @Override
    public void remove(int fd, int interest) throws IOException {
        control(EPOLL_CTL_DEL, fd, 0);
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        int n = Native.Linux.epoll_wait(epfd, events.memoryAddress(), MAX_EVENTS, Poller.timeoutMillis(timeoutNanos));
        if (n < 0) {
            if (Native.errno() == Errno.EINTR) {
                return 0;
            }
            throw Errors.newException("epoll_wait");
        }
        // Move the wakeup entry out of the caller's way by swapping the last entry into its place.
        for (int i = 0; i < n; i++) {
            if (readyFd(i) == eventfd) {
                Native.Posix.read(eventfd, scratch.memoryAddress(), 8);
                n--;
                if (i != n) {
                    events.setBytes(i * EVENT_SIZE, events, n * EVENT_SIZE, EVENT_SIZE);
                }
                break;
            }
        }
        return n;
    }

    @Override
    public int readyFd(int i) {
        return (int) events.getLongLE(i * EVENT_SIZE + EVENT_DATA_OFFSET);
    }

    @Override
    public int readyOps(int i) {
        int e = events.getIntLE(i * EVENT_SIZE);
        if ((e & (EPOLLERR | EPOLLHUP)) != 0) {
            return READABLE | WRITABLE;
        }
        return ((e & EPOLLIN) != 0 ? READABLE : 0) | ((e & EPOLLOUT) != 0 ? WRITABLE : 0);
    }

    @Override
    public void wakeup() {
        Native.Posix.write(eventfd, one.memoryAddress(), 8);
    }

    @Override
    public void close() {
        Native.Posix.close(eventfd);
        Native.Posix.close(epfd);
        release();
    }

    private void release() {
        if (events.refCnt() > 0) {
            events.release();
            scratch.release();
            one.release();
        }
    }
}
