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

/**
 * The three libc calls {@link NetworkNamespace} needs to move a thread into a network namespace.
 * The transport has its own native bindings, but they are internal to it.
 *
 * <p>Direct mapping ({@link Native#register}) rather than an interface proxy: the calls are few,
 * and JNA records {@code errno} after each of them, which {@link Native#getLastError()} returns
 * on the same thread.
 */
final class NamespaceLibc {
    /** {@code O_RDONLY}: a namespace file is opened only to obtain a descriptor for setns. */
    static final int O_RDONLY = 0;
    /**
     * {@code O_CLOEXEC} (the same value on every Linux architecture the JDK runs on): the
     * descriptor lives for a few instructions, but a child process forked meanwhile by another
     * thread must not inherit it.
     */
    static final int O_CLOEXEC = 0x80000;
    /** {@code CLONE_NEWNET}: makes setns refuse a descriptor that is not a network namespace. */
    static final int CLONE_NEWNET = 0x40000000;

    static {
        Native.register("c");
    }

    private NamespaceLibc() {}

    static native int open(String path, int flags);

    static native int setns(int fd, int nstype);

    static native int close(int fd);
}
