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

import io.netty.channel.ChannelHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The divert contract on the real Linux kernel: UDP to {@link DivertContract#PORT} on loopback,
 * in a network namespace of the test's own, goes through an iptables NFQUEUE rule (injected
 * packets, which carry the channel's mark, are left alone) to the channel; what the channel
 * passes on is what a UDP socket bound to the port receives.
 */
class NfqueueKernelContractTest extends DivertContract {
    @Override
    ContractKernel newKernel() throws Exception {
        return new RealKernel();
    }

    private static final class RealKernel implements ContractKernel {
        private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
        private final KernelTestbed bed = new KernelTestbed();
        private final DatagramSocket receiver;
        private final DatagramSocket sender;

        RealKernel() throws Exception {
            try {
                bed.ns.iptables(
                        "-A",
                        "OUTPUT",
                        "-p",
                        "udp",
                        "--dport",
                        String.valueOf(PORT),
                        "-m",
                        "mark",
                        "!",
                        "--mark",
                        "0x4456",
                        "-j",
                        "NFQUEUE",
                        "--queue-num",
                        String.valueOf(QUEUE));
                receiver = bed.udp(LOOPBACK, PORT);
                sender = bed.udp(LOOPBACK, 0);
            } catch (Exception | Error e) {
                bed.close();
                throw e;
            }
        }

        @Override
        public DivertChannel bind(ChannelHandler handler) throws Exception {
            return bed.bind(QUEUE, handler);
        }

        @Override
        public void divert(byte[] payload) throws Exception {
            sender.send(new DatagramPacket(payload, payload.length, LOOPBACK, PORT));
        }

        @Override
        public List<byte[]> passed(int expected) throws Exception {
            List<byte[]> got = new ArrayList<>();
            // Long enough for a slow machine to pass what it will, short once all came.
            receiver.setSoTimeout(2000);
            while (got.size() < expected) {
                byte[] data = KernelTestbed.receive(receiver);
                if (data == null) {
                    return got;
                }
                got.add(data);
            }
            // One that should not be there would come now.
            receiver.setSoTimeout(200);
            for (byte[] data; (data = KernelTestbed.receive(receiver)) != null; ) {
                got.add(data);
            }
            return got;
        }

        @Override
        public long waitingForVerdicts() throws Exception {
            return bed.waitUntilQueueEmpty(QUEUE);
        }

        @Override
        public void close() {
            try {
                receiver.close();
                sender.close();
            } finally {
                bed.close();
            }
        }

        @Override
        public String toString() {
            return "the Linux kernel, in network namespace " + bed.ns.name();
        }
    }
}
