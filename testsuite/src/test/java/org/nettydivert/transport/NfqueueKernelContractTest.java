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
import org.junit.jupiter.api.BeforeEach;
import org.nettydivert.testkit.DivertRule;
import org.nettydivert.testkit.Host;
import org.nettydivert.testkit.IsolatedNetwork;
import org.nettydivert.testkit.TestNetwork;
import org.nettydivert.testkit.linux.NetworkNamespace;

/**
 * The divert contract on the real Linux kernel: UDP to {@link DivertContract#PORT} on loopback,
 * in an isolated network of the test's own, goes through an NFQUEUE rule (injected packets,
 * which carry the channel's mark, are left alone) to the channel; what the channel passes on is
 * what a UDP socket bound to the port receives.
 */
@IsolatedNetwork
class NfqueueKernelContractTest extends DivertContract {
    private RealKernel real;

    @Override
    ContractKernel newKernel() {
        real = new RealKernel();
        return real;
    }

    /** Runs after the contract's own {@code @BeforeEach} made the kernel: gives it the test's network. */
    @BeforeEach
    void openNetwork(TestNetwork network) throws Exception {
        real.open(network.host());
    }

    private static final class RealKernel implements ContractKernel {
        private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
        private Host host;
        private DatagramSocket receiver;
        private DatagramSocket sender;

        void open(Host host) throws Exception {
            this.host = host;
            host.divert(DivertRule.udp().toPort(PORT).ipv4Only().divertTo(QUEUE));
            receiver = EndToEnd.udp(host, LOOPBACK, PORT);
            sender = EndToEnd.udp(host, LOOPBACK, 0);
        }

        @Override
        public DivertChannel bind(ChannelHandler handler) throws Exception {
            return host.bind(QUEUE, handler);
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
                byte[] data = Datagrams.receive(receiver);
                if (data == null) {
                    return got;
                }
                got.add(data);
            }
            // One that should not be there would come now.
            receiver.setSoTimeout(200);
            for (byte[] data; (data = Datagrams.receive(receiver)) != null; ) {
                got.add(data);
            }
            return got;
        }

        @Override
        public long waitingForVerdicts() throws Exception {
            return EndToEnd.waitUntilQueueEmpty(host, QUEUE);
        }

        /** The sockets; the channels and the network are the testkit's to close. */
        @Override
        public void close() {
            if (receiver != null) {
                receiver.close();
            }
            if (sender != null) {
                sender.close();
            }
        }

        @Override
        public String toString() {
            return "the Linux kernel, in network namespace "
                    + NetworkNamespace.of(host).name();
        }
    }
}
