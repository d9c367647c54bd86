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

import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code /proc/net/netfilter/nfnetlink_queue}: the kernel's counters for a bound
 * NFQUEUE queue in one network namespace. Obtained through {@link
 * NetworkNamespace#queueStats(int)}.
 *
 * <p>The kernel prints each bound queue as {@code "%5u %6u %5u %1u %5u %5u %5u %8u %2d"}
 * (net/netfilter/nfnetlink_queue.c, {@code seq_show}); the fields below are in that order, the
 * last column is a constant 1 left over from a removed use count and is ignored. The order was
 * checked by binding a queue with copy range 1234 and queueing three packets, which printed
 * {@code "    7   6447     3 2  1234     0     0        3  1"}. The counters are unsigned 32-bit
 * values in the kernel, hence {@code long}.
 *
 * @param queueNumber the queue number ({@code --queue-num} of the rule)
 * @param peerPortId the netlink port id of the socket bound to the queue
 * @param waiting packets queued and waiting for a verdict ({@code queue_total})
 * @param copyMode {@code NFQNL_COPY_NONE} 0, {@code NFQNL_COPY_META} 1, {@code
 *     NFQNL_COPY_PACKET} 2
 * @param copyRange how many bytes of each packet are copied to user space
 * @param dropped packets dropped because the queue was full ({@code queue_dropped})
 * @param userDropped packets dropped because the netlink socket could not take them, e.g. its
 *     receive buffer was full ({@code queue_user_dropped})
 * @param idSequence the id of the last packet queued; ids count up from 1
 */
public record QueueStats(
        int queueNumber,
        long peerPortId,
        long waiting,
        int copyMode,
        long copyRange,
        long dropped,
        long userDropped,
        long idSequence) {
    private static final int FIELDS = 9;

    /**
     * Parses the whole file, one record per bound queue.
     *
     * @throws IllegalArgumentException when a line does not have the kernel's nine columns, so
     *     that a changed format fails loudly instead of yielding misread counters
     */
    public static List<QueueStats> parseAll(String procFileContent) {
        List<QueueStats> result = new ArrayList<>();
        for (String line : procFileContent.split("\n")) {
            String trimmed = line.trim();
            if (!trimmed.isEmpty()) {
                result.add(parseLine(trimmed));
            }
        }
        return result;
    }

    private static QueueStats parseLine(String line) {
        String[] f = line.split("\\s+");
        if (f.length != FIELDS) {
            throw new IllegalArgumentException(
                    "expected " + FIELDS + " columns in nfnetlink_queue line, got " + f.length + ": '" + line + "'");
        }
        try {
            return new QueueStats(
                    Integer.parseInt(f[0]),
                    Long.parseLong(f[1]),
                    Long.parseLong(f[2]),
                    Integer.parseInt(f[3]),
                    Long.parseLong(f[4]),
                    Long.parseLong(f[5]),
                    Long.parseLong(f[6]),
                    Long.parseLong(f[7]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed nfnetlink_queue line: '" + line + "'", e);
        }
    }
}
