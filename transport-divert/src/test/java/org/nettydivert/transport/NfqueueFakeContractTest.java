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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.nettydivert.transport.nfqueue.NfqueueSocket;
import org.nettydivert.transport.unix.IpPackets;

/**
 * The divert contract for NFQUEUE on the fake kernel ({@link FakeNfqueueKernel}): the real
 * socket, verdict engine, channel and event loop, nfnetlink_queue answered by a fake. What
 * "passed" is what the fake accepted (with the bytes of the verdict, or its own copy when the
 * verdict carried none) and what was injected, in the order the fake saw them, less what a
 * stack would throw away for a wrong IPv4 header checksum.
 */
class NfqueueFakeContractTest extends DivertContract {
    @Override
    ContractKernel newKernel() {
        return new FakeKernel();
    }

    private static final class FakeKernel implements ContractKernel {
        private final FakeNfqueueKernel kernel = new FakeNfqueueKernel(QUEUE);
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, DivertIoHandler.newFactory());
        /** The bytes of each packet queued, by id: an accept without payload passes these. */
        private final Map<Long, byte[]> queued = new HashMap<>();

        private int seen;

        @Override
        public DivertChannel bind(ChannelHandler handler) throws Exception {
            DivertChannel channel = new DivertChannel(
                    (ch, address) -> new NfqueueSocket(ch, address.port(), kernel, kernel.injector()));
            channel.pipeline().addLast(handler);
            group.register(channel).sync();
            channel.bind(DivertAddress.port(QUEUE)).sync();
            return channel;
        }

        @Override
        public void divert(byte[] payload) {
            ByteBuf packet = udp(40000, payload);
            try {
                byte[] bytes = ByteBufUtil.getBytes(packet);
                synchronized (queued) {
                    queued.put(kernel.queue(bytes).id, bytes);
                }
            } finally {
                packet.release();
            }
        }

        @Override
        public List<byte[]> passed(int expected) throws InterruptedException {
            List<byte[]> passed = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                List<FakeNfqueueKernel.Event> timeline = kernel.timeline();
                for (; seen < timeline.size(); seen++) {
                    byte[] ip = bytesThatPassed(timeline.get(seen));
                    if (ip != null) {
                        passed.add(ip);
                    }
                }
                if (passed.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    // One that should not be there would come now.
                    quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                }
                Thread.sleep(10);
            }
            List<byte[]> payloads = new ArrayList<>();
            for (byte[] ip : passed) {
                int headerLength = (ip[0] & 0x0F) * 4;
                int destinationPort = (ip[headerLength + 2] & 0xFF) << 8 | ip[headerLength + 3] & 0xFF;
                if (ip[9] == IpPackets.PROTO_UDP
                        && destinationPort == PORT
                        && FakeNfqueueBed.ipv4HeaderChecksum(ip) == ((ip[10] & 0xFF) << 8 | ip[11] & 0xFF)) {
                    payloads.add(Arrays.copyOfRange(ip, headerLength + 8, ip.length));
                }
            }
            return payloads;
        }

        private byte[] bytesThatPassed(FakeNfqueueKernel.Event event) {
            if (event.isInjection()) {
                return ByteBufUtil.decodeHexDump(event.payload);
            }
            if (event.verdict != 1) {
                return null; // dropped (or queued again)
            }
            if (event.payload != null) {
                return ByteBufUtil.decodeHexDump(event.payload);
            }
            synchronized (queued) {
                return queued.get(event.id);
            }
        }

        @Override
        public long waitingForVerdicts() throws InterruptedException {
            kernel.awaitEmpty();
            return kernel.held().size();
        }

        @Override
        public void close() {
            try {
                group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            } finally {
                kernel.release();
            }
        }

        @Override
        public String toString() {
            return "the fake NFQUEUE kernel";
        }
    }
}
