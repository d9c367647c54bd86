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
package org.nettydivert.transport;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/** Receiving what the kernel passed, for the tests on real kernels (Linux here, the BSDs on their machines). */
final class Datagrams {
    private Datagrams() {}

    /** Receives one datagram's bytes, or null when the socket's timeout passes first. */
    static byte[] receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        byte[] data = new byte[packet.getLength()];
        System.arraycopy(packet.getData(), packet.getOffset(), data, 0, data.length);
        return data;
    }

    /**
     * What a {@link ContractKernel} passed: datagrams until {@code expected} came (or none for two
     * seconds, long enough for a slow machine), then any that came in the next 200 ms, where
     * one that should not be there would show.
     */
    static List<byte[]> passed(DatagramSocket receiver, int expected) throws Exception {
        List<byte[]> got = new ArrayList<>();
        receiver.setSoTimeout(2000);
        while (got.size() < expected) {
            byte[] data = receive(receiver);
            if (data == null) {
                return got;
            }
            got.add(data);
        }
        receiver.setSoTimeout(200);
        for (byte[] data; (data = receive(receiver)) != null; ) {
            got.add(data);
        }
        return got;
    }
}
