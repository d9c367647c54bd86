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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.nettydivert.testing.NetworkNamespace;
import org.nettydivert.testing.QueueStats;

/** Helpers of the TCP and TLS kernel tests (their fixture is {@link KernelTestbed}): rules, settling, digests. */
final class EndToEnd {
    private EndToEnd() {}

    /** The channel's counters, read on its event loop, so that they are exact. */
    /**
     * Diverts every packet of TCP port {@code port}, both ways, to {@code queue}: on loopback each
     * packet passes OUTPUT exactly once.
     */
    static void divertTcpPort(NetworkNamespace ns, boolean ipv4, int port, int queue) {
        for (String side : new String[] {"--dport", "--sport"}) {
            String[] rule = {
                "-A",
                "OUTPUT",
                "-p",
                "tcp",
                side,
                Integer.toString(port),
                "-j",
                "NFQUEUE",
                "--queue-num",
                Integer.toString(queue)
            };
            if (ipv4) {
                ns.iptables(rule);
            } else {
                ns.ip6tables(rule);
            }
        }
    }

    static DivertStats statsOf(DivertChannel channel) throws Exception {
        return channel.eventLoop().submit(channel::stats).get(10, TimeUnit.SECONDS);
    }

    /**
     * Waits until the kernel holds no packet of {@code queue} and the channel has written back
     * every packet it read (or {@code handler} saw a failure, which the caller then reports),
     * then returns the channel's counters. Traffic that has ended may still leave
     * a last packet in flight (the final ACK of a TCP close is sent after both ends have seen
     * the close) and no event says when it has passed, so this polls, within {@code limit}.
     */
    static DivertStats awaitSettled(
            NetworkNamespace ns, int queue, DivertChannel channel, WriteBackHandler handler, Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        for (; ; ) {
            DivertStats stats = statsOf(channel);
            QueueStats kernel = ns.queueStats(queue);
            boolean allWritten = stats.packetsRead() == stats.packetsReinjected();
            if ((allWritten || handler.hasFailure()) && kernel != null && kernel.waiting() == 0) {
                return stats;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(
                        "queue " + queue + " did not settle within " + limit + ": " + stats + ", kernel " + kernel);
            }
            Thread.sleep(20);
        }
    }

    /**
     * The pass-through verdicts: the pipeline saw {@code seenByPipeline} packets, the channel
     * read exactly those and wrote every one back, nothing was dropped or lost on the way, and
     * the kernel holds none of the queue's packets.
     */
    static void assertEveryPacketWrittenBack(DivertStats stats, long seenByPipeline, QueueStats kernel) {
        assertEquals(seenByPipeline, stats.packetsRead(), "packets read are the packets the pipeline saw: " + stats);
        assertEquals(stats.packetsRead(), stats.packetsReinjected(), "every packet read was written back: " + stats);
        assertEquals(0, stats.packetsInjected(), stats.toString());
        assertEquals(0, stats.writesFailed(), stats.toString());
        assertEquals(0, stats.releaseDrops(), stats.toString());
        assertEquals(0, stats.timeoutDrops(), stats.toString());
        assertEquals(0, stats.overflows(), stats.toString());
        assertNotNull(kernel, "the queue is bound");
        assertEquals(0, kernel.waiting(), "nothing waits for a verdict: " + kernel);
        assertEquals(0, kernel.dropped(), "the kernel queue never overflowed: " + kernel);
        assertEquals(0, kernel.userDropped(), "the netlink socket never overflowed: " + kernel);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    /** Feeds the readable bytes of {@code buf} to {@code digest} without moving its indices. */
    static void update(MessageDigest digest, ByteBuf buf) {
        for (ByteBuffer nio : buf.nioBuffers()) {
            digest.update(nio);
        }
    }
}
