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
package org.nettydivert.transport.unix;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A reusable array of {@code struct mmsghdr}, each with its own socket-address space and a share
 * of a common pool of {@code struct iovec}s: what recvmmsg, sendmmsg and sendmsg are given. Built
 * once per channel; filling it allocates nothing. Event loop thread only.
 */
public final class MsgArray {
    /** Room for any socket address we use: sockaddr_in6 (28), sockaddr_in (16), sockaddr_nl (12). */
    public static final int NAME_SIZE = 32;

    private final MsgLayout layout;
    private final int maxMessages;
    private final int maxIovecs;
    private final ByteBuf memory;
    private final long headers;
    private final long names;
    private final long iovecs;
    private int count;
    private int iovecCount;

    public MsgArray(MsgLayout layout, int maxMessages, int maxIovecs) {
        this.layout = layout;
        this.maxMessages = maxMessages;
        this.maxIovecs = maxIovecs;
        int headerBytes = maxMessages * layout.mmsghdrSize;
        int nameBytes = maxMessages * NAME_SIZE;
        memory = Unpooled.directBuffer(headerBytes + nameBytes + maxIovecs * MsgLayout.IOVEC_SIZE);
        memory.setZero(0, memory.capacity());
        headers = memory.memoryAddress();
        names = headers + headerBytes;
        iovecs = names + nameBytes;
    }

    public void clear() {
        count = 0;
        iovecCount = 0;
    }

    public int count() {
        return count;
    }

    public int maxMessages() {
        return maxMessages;
    }

    public boolean isFull() {
        return count == maxMessages;
    }

    /** Iovecs still free in the pool. */
    public int iovecsLeft() {
        return maxIovecs - iovecCount;
    }

    /** Address of the mmsghdr array (for recvmmsg/sendmmsg). */
    public long address() {
        return headers;
    }

    /** Address of message {@code i}'s msghdr (for recvmsg/sendmsg). */
    public long msghdrAddress(int i) {
        return headers + (long) i * layout.mmsghdrSize;
    }

    /** Address of message {@code i}'s socket-address space. */
    public long nameAddress(int i) {
        return names + (long) i * NAME_SIZE;
    }

    /** Index in {@link #memory} of message {@code i}'s socket-address space, for reading it as a ByteBuf. */
    public int nameIndex(int i) {
        return (int) (nameAddress(i) - headers);
    }

    /** The array's memory as a buffer: socket addresses are read and written through it. */
    public ByteBuf memory() {
        return memory;
    }

    /**
     * Starts a message whose socket address is {@code nameLength} bytes of its own name space (0:
     * none), with no iovecs yet. Returns its index.
     */
    public int addMessage(int nameLength) {
        int i = count++;
        int h = (int) (msghdrAddress(i) - headers);
        memory.setLongLE(h + MsgLayout.MSG_NAME, nameLength == 0 ? 0 : nameAddress(i));
        memory.setIntLE(h + MsgLayout.MSG_NAMELEN, nameLength);
        memory.setLongLE(h + MsgLayout.MSG_IOV, iovecs + (long) iovecCount * MsgLayout.IOVEC_SIZE);
        setIovlen(h, 0);
        memory.setLongLE(h + MsgLayout.MSG_CONTROL, 0);
        if (layout.wideLengths) {
            memory.setLongLE(h + MsgLayout.MSG_CONTROLLEN, 0);
        } else {
            memory.setIntLE(h + MsgLayout.MSG_CONTROLLEN, 0);
        }
        memory.setIntLE(h + layout.flagsOffset, 0);
        memory.setIntLE(h + layout.msgLenOffset, 0);
        return i;
    }

    /** Appends an iovec of {@code length} bytes at {@code address} to the last message started. */
    public void addIovec(long address, long length) {
        int h = (int) (msghdrAddress(count - 1) - headers);
        int v = (int) (iovecs - headers) + iovecCount++ * MsgLayout.IOVEC_SIZE;
        memory.setLongLE(v + MsgLayout.IOV_BASE, address);
        memory.setLongLE(v + MsgLayout.IOV_LEN, length);
        setIovlen(h, iovlen(h) + 1);
    }

    private void setIovlen(int h, int n) {
        if (layout.wideLengths) {
            memory.setLongLE(h + MsgLayout.MSG_IOVLEN, n);
        } else {
            memory.setIntLE(h + MsgLayout.MSG_IOVLEN, n);
        }
    }

    private int iovlen(int h) {
        return layout.wideLengths
                ? (int) memory.getLongLE(h + MsgLayout.MSG_IOVLEN)
                : memory.getIntLE(h + MsgLayout.MSG_IOVLEN);
    }

    /** Bytes received into / sent from message {@code i} by the last recvmmsg/sendmmsg. */
    public int messageLength(int i) {
        return memory.getIntLE((int) (msghdrAddress(i) - headers) + layout.msgLenOffset);
    }

    /** The kernel's msg_flags for message {@code i} (e.g. MSG_TRUNC). */
    public int flags(int i) {
        return memory.getIntLE((int) (msghdrAddress(i) - headers) + layout.flagsOffset);
    }

    /** The socket address length the kernel wrote back for message {@code i}. */
    public int nameLength(int i) {
        return memory.getIntLE((int) (msghdrAddress(i) - headers) + MsgLayout.MSG_NAMELEN);
    }

    public void release() {
        memory.release();
    }
}
