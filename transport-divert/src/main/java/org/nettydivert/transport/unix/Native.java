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

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The native boundary: every system call the transport makes, bound with JNA direct mapping.
 *
 * <p>Pointers are passed as {@code long} addresses (the memory of direct {@code ByteBuf}s), which
 * is exact on the LP64 systems we support and spares an object per call. Calls return -1 and
 * leave errno for {@link Errors}; nothing here throws. Each nested class is registered on first
 * use, so a system never resolves symbols it lacks (epoll on BSD, kqueue on Linux).
 */
public final class Native {
    private Native() {}

    public static NativeLibrary libc() {
        return NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
    }

    /** errno of the last failed call on this thread. */
    public static int errno() {
        return com.sun.jna.Native.getLastError();
    }

    /** POSIX calls every supported system has. */
    public static final class Posix {
        static {
            com.sun.jna.Native.register(Posix.class, libc());
        }

        private Posix() {}

        public static native int socket(int domain, int type, int protocol);

        public static native int bind(int fd, long address, int addressLength);

        public static native int close(int fd);

        public static native int setsockopt(int fd, int level, int name, long value, int valueLength);

        public static native int getsockopt(int fd, int level, int name, long value, long valueLength);

        public static native long recvfrom(
                int fd, long buffer, long length, int flags, long address, long addressLength);

        public static native long sendto(int fd, long buffer, long length, int flags, long address, int addressLength);

        public static native long sendmsg(int fd, long msghdr, int flags);

        public static native long read(int fd, long buffer, long length);

        public static native long write(int fd, long buffer, long length);

        public static native int pipe2(long fds, int flags);

        public static native String strerror(int errno);
    }

    /** Batched datagram calls: Linux, FreeBSD 11+, OpenBSD 7.2+. */
    public static final class Mmsg {
        static {
            com.sun.jna.Native.register(Mmsg.class, libc());
        }

        private Mmsg() {}

        // vlen is size_t on FreeBSD and unsigned int on Linux: pass 64 bits, both read it right.
        // The result is ssize_t on FreeBSD and int on Linux: read 32 bits, both fit.
        public static native int recvmmsg(int fd, long msgvec, long vlen, int flags, long timeout);

        public static native int sendmmsg(int fd, long msgvec, long vlen, int flags);
    }

    /** Linux only. */
    public static final class Linux {
        static {
            com.sun.jna.Native.register(Linux.class, libc());
        }

        private Linux() {}

        public static native int epoll_create1(int flags);

        public static native int epoll_ctl(int epfd, int op, int fd, long event);

        public static native int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);

        public static native int eventfd(int initialValue, int flags);

        /** Only to open a network namespace file ({@link NetNamespace}). */
        public static native int open(String path, int flags);

        public static native int setns(int fd, int nstype);
    }

    /** FreeBSD, OpenBSD, macOS. */
    public static final class Kqueue {
        static {
            com.sun.jna.Native.register(Kqueue.class, libc());
        }

        private Kqueue() {}

        public static native int kqueue();

        public static native int kevent(
                int kq, long changes, int changeCount, long events, int eventCount, long timeout);
    }
}
