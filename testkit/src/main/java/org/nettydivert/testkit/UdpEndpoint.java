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
package org.nettydivert.testkit;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** A UDP socket inside a {@link Host} (see {@link Host#udp}). */
public interface UdpEndpoint extends AutoCloseable {
    /** The local port. */
    int port();

    /** Sends one datagram. */
    void send(InetSocketAddress to, byte[] payload) throws Exception;

    /** The next datagram's payload, or {@code null} when none came within {@code timeout}. */
    byte[] receive(Duration timeout) throws Exception;

    /**
     * Datagrams until {@code count} came or none came for {@code quiet}: what a test that expects
     * some to be dropped waits for.
     */
    List<byte[]> receive(int count, Duration quiet) throws Exception;

    @Override
    void close();
}
