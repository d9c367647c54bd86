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
package org.nettydivert.transport.spi;

import java.io.IOException;

/**
 * Readiness of descriptors, as the system offers it: epoll on Linux, kqueue on the BSDs. Used
 * only from the event loop thread, except {@link #wakeup()}.
 */
public interface Poller {
    int READABLE = 1;
    int WRITABLE = 2;

    /** Starts watching {@code fd} for {@code interest} (a mix of READABLE and WRITABLE, maybe none). */
    void add(int fd, int interest) throws IOException;

    /** Changes what {@code fd} is watched for. */
    void modify(int fd, int oldInterest, int newInterest) throws IOException;

    /** Stops watching {@code fd}; {@code interest} is what it was watched for. */
    void remove(int fd, int interest) throws IOException;

    /**
     * Waits up to {@code timeoutNanos} (0: do not wait, negative: forever) for readiness or a
     * wakeup, and returns how many descriptors are ready; a wakeup is consumed here.
     */
    int poll(long timeoutNanos) throws IOException;

    /** The descriptor of the {@code i}th ready entry of the last {@link #poll}. */
    int readyFd(int i);

    /** READABLE and/or WRITABLE for the {@code i}th ready entry; errors and hang-ups report both. */
    int readyOps(int i);

    /** Makes a blocked or the next {@link #poll} return. Any thread. */
    void wakeup();

    /** Closes the poller's own descriptors. */
    void close();

    /** Milliseconds for a system call that takes them, rounded up so that timers never fire early. */
    static int timeoutMillis(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return -1;
        }
        long millis = (timeoutNanos + 999_999) / 1_000_000;
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }
}
