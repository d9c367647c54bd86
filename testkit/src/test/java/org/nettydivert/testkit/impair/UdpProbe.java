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
package org.nettydivert.testkit.impair;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.UdpEndpoint;

/**
 * Real UDP traffic for the kernel tests: a sender thread sends numbered datagrams at a fixed pace,
 * each carrying its sequence number, its send time and a CRC-32 of itself; the caller's thread
 * receives them and records when each came and whether it came whole.
 */
final class UdpProbe {
    /** One datagram as received. */
    record Arrival(int seq, long sentNanos, long receivedNanos, int ipLength, boolean intact) {
        double latencyMillis() {
            return (receivedNanos - sentNanos) / 1e6;
        }
    }

    static final int SERVER_PORT = 9000;

    private UdpProbe() {}

    /**
     * Sends {@code count} datagrams of {@code payloadLength} bytes (at least 16), one every {@code
     * interval}, from a client on {@code host} to a server on it at port {@link #SERVER_PORT}, and
     * returns what arrived, in arrival order: until {@code quiet} passes with nothing after the last
     * send, or {@code 2 * count} arrived.
     */
    static List<Arrival> run(Host host, int count, int payloadLength, Duration interval, Duration quiet)
            throws Exception {
        List<Arrival> arrivals = new ArrayList<>();
        try (UdpEndpoint server = host.udp(SERVER_PORT);
                UdpEndpoint client = host.udp(0)) {
            InetSocketAddress to = new InetSocketAddress(host.ipv4(), SERVER_PORT);
            Thread sender =
                    new Thread(() -> send(client, to, count, payloadLength, interval.toNanos()), "probe-sender");
            sender.start();
            try {
                while (arrivals.size() < 2 * count) {
                    byte[] payload = server.receive(sender.isAlive() ? Duration.ofSeconds(5) : quiet);
                    long now = System.nanoTime();
                    if (payload == null) {
                        if (sender.isAlive()) {
                            throw new AssertionError("nothing arrived for 5 s while sending");
                        }
                        break;
                    }
                    arrivals.add(parse(payload, now));
                }
            } finally {
                sender.join();
            }
        }
        return arrivals;
    }

    private static void send(UdpEndpoint client, InetSocketAddress to, int count, int payloadLength, long interval) {
        long start = System.nanoTime();
        for (int seq = 0; seq < count; seq++) {
            long due = start + seq * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            ByteBuffer b = ByteBuffer.allocate(payloadLength);
            b.putInt(seq).putLong(System.nanoTime());
            while (b.position() < payloadLength - 4) {
                b.put((byte) (seq + b.position()));
            }
            CRC32 crc = new CRC32();
            crc.update(b.array(), 0, payloadLength - 4);
            b.putInt((int) crc.getValue());
            try {
                client.send(to, b.array());
            } catch (Exception e) {
                throw new IllegalStateException("send " + seq + " failed", e);
            }
        }
    }

    private static Arrival parse(byte[] payload, long receivedNanos) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        CRC32 crc = new CRC32();
        crc.update(payload, 0, payload.length - 4);
        boolean intact = (int) crc.getValue() == b.getInt(payload.length - 4);
        return new Arrival(b.getInt(0), b.getLong(4), receivedNanos, payload.length + 28, intact);
    }

    /** Distinct sequence numbers among the intact arrivals. */
    static int distinct(List<Arrival> arrivals) {
        BitSet seen = new BitSet();
        arrivals.stream().filter(Arrival::intact).forEach(a -> seen.set(a.seq()));
        return seen.cardinality();
    }
}
