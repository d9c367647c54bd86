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
package org.nettydivert.transport.nfqueue;

import static org.nettydivert.transport.nfqueue.LinuxAbi.align4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.nettydivert.transport.unix.MsgArray;
import org.nettydivert.transport.unix.MsgLayout;

/**
 * The verdict messages of one sendmsg: their headers in one direct buffer, and an iovec for each
 * header, payload and padding, so that a payload goes out from the packet's own memory without a
 * copy. Built once per channel and reused; filling it allocates nothing. Event loop thread only.
 */
public final class VerdictBatch {
    private final int queue;
    private final MsgArray send;
    private final ByteBuf headers;
    private final ByteBuf zeros = Unpooled.directBuffer(4).writeZero(4);

    /** Room for {@code verdicts} accept verdicts of queue {@code queue}, and 256 more without payload. */
    VerdictBatch(int queue, int verdicts) {
        this.queue = queue;
        // An accept is up to three iovecs (headers, payload, padding); a bare verdict one.
        send = new MsgArray(MsgLayout.LINUX, 1, 3 * verdicts + 256);
        headers = Unpooled.directBuffer((verdicts + 256) * NfqueueMessages.VERDICT_HEADER);
    }

    /** Empties the batch. */
    void clear() {
        send.clear();
        send.addMessage(0);
        headers.clear();
    }

    /** Whether another accept verdict, or any verdict with payload (three iovecs), fits. */
    boolean hasRoomForAccept() {
        return send.iovecsLeft() >= 3;
    }

    /** Whether another bare verdict fits. */
    boolean hasRoomForBare() {
        return send.iovecsLeft() > 0 && headers.writableBytes() >= NfqueueMessages.BARE_VERDICT;
    }

    /**
     * Appends {@code verdict} (see {@link NfqueueMessages#putVerdictHeaders}) for packet {@code
     * id} with {@code length} bytes of {@code content} at {@code offset} (no payload if
     * negative), {@code mark} if {@code withMark}, the connection mark {@code connmark} unless
     * it is negative, and the conntrack labels {@code labelsLow} (0..63) and {@code labelsHigh}
     * (64..127) to add, if any.
     */
    void addVerdict(
            long id,
            int verdict,
            boolean withMark,
            int mark,
            long connmark,
            long labelsLow,
            long labelsHigh,
            ByteBuf content,
            int offset,
            int length) {
        int start = NfqueueMessages.putVerdictHeaders(
                headers, queue, id, verdict, withMark, mark, connmark, labelsLow, labelsHigh, length);
        send.addIovec(headers.memoryAddress() + start, headers.writerIndex() - start);
        if (length < 0) {
            return;
        }
        send.addIovec(content.memoryAddress() + offset, length);
        int padding = align4(length) - length;
        if (padding > 0) {
            send.addIovec(zeros.memoryAddress(), padding);
        }
    }

    /** Appends {@code verdict} for packet {@code id}, without mark or payload. */
    void addBare(long id, int verdict) {
        int start = headers.writerIndex();
        NfqueueMessages.putBareVerdict(headers, queue, id, verdict);
        send.addIovec(headers.memoryAddress() + start, headers.writerIndex() - start);
    }

    /** Replaces what the batch holds with one NFQNL_MSG_VERDICT_BATCH of {@code verdict} up to {@code lastId}. */
    void replaceWithBatchVerdict(long lastId, int verdict) {
        clear();
        NfqueueMessages.putBatchVerdict(headers, queue, lastId, verdict);
        send.addIovec(headers.memoryAddress(), headers.writerIndex());
    }

    /** Sends the batch in one sendmsg through {@code io}: bytes sent, or -1 and {@link NfqueueIo#errno()}. */
    long send(NfqueueIo io) {
        return io.send(send.msghdrAddress(0));
    }

    void release() {
        send.release();
        headers.release();
        zeros.release();
    }
}
