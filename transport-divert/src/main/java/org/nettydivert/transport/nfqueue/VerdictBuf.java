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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.charset.Charset;

/**
 * The content of a packet read from NFQUEUE, which tells its owner when it is released and
 * remembers whether anything may have written to it.
 *
 * <p>Release: that is how the channel learns that the pipeline let a packet go without writing
 * it, and answers it with NF_DROP. Whichever way the buffer is released (the packet, its
 * content, a slice or duplicate of it) the last release lands in {@link #deallocate()}.
 *
 * <p>Writes: a packet written back with its bytes as the kernel gave them needs no payload in
 * its verdict (and runs of them need one batch verdict), which saves the kernel a copy and a
 * checksum per packet. So every way to change the bytes marks the buffer touched: the
 * {@code set}/{@code write} methods (derived buffers such as slices write through them too), a
 * capacity change, and every hand-out of raw memory ({@link #memoryAddress()}, NIO views),
 * after which writes cannot be seen. Reads never touch it. The mark errs on the safe side:
 * a touched buffer is sent back in full even if its bytes are in fact unchanged.
 */
public final class VerdictBuf extends UnpooledUnsafeDirectByteBuf {
    private static final int MAX_IP_PACKET = 65535;

    /** Who hears of the release. */
    interface Owner {
        /** Called when the last reference to packet {@code packetId}'s content is released, on any thread. */
        void released(long packetId);
    }

    private final Owner owner;
    private final long packetId;
    private final int mark;
    private final int length;
    private final ByteBuf memory;
    private boolean touched;

    /**
     * A view of {@code length} bytes at {@code offset} of {@code memory} (retained until release),
     * the packet with id {@code packetId} and mark {@code mark} as read.
     */
    VerdictBuf(Owner owner, long packetId, int mark, ByteBuf memory, int offset, int length) {
        super(memory.alloc(), memory.nioBuffer(offset, length), MAX_IP_PACKET);
        this.owner = owner;
        this.packetId = packetId;
        this.mark = mark;
        this.length = length;
        this.memory = memory.retain();
    }

    /**
     * Whether this is the content of {@code owner}'s packet {@code packetId}, whole and untouched
     * since it was read: then the kernel's own copy of the packet is what the pipeline wants sent.
     */
    boolean isUnchanged(Owner owner, long packetId) {
        return !touched
                && this.owner == owner
                && this.packetId == packetId
                && readerIndex() == 0
                && writerIndex() == length;
    }

    /** The packet's mark as read. */
    int mark() {
        return mark;
    }

    boolean isTouched() {
        return touched;
    }

    @Override
    protected void deallocate() {
        super.deallocate();
        memory.release();
        owner.released(packetId);
    }

    // ---- every way to change the bytes marks the buffer touched (the public setByte ... setLongLE
    // end in these _set methods; VerdictBufTest checks that each one does)

    @Override
    protected void _setByte(int index, int value) {
        touched = true;
        super._setByte(index, value);
    }

    @Override
    protected void _setShort(int index, int value) {
        touched = true;
        super._setShort(index, value);
    }

    @Override
    protected void _setShortLE(int index, int value) {
        touched = true;
        super._setShortLE(index, value);
    }

    @Override
    protected void _setMedium(int index, int value) {
        touched = true;
        super._setMedium(index, value);
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        touched = true;
        super._setMediumLE(index, value);
    }

    @Override
    protected void _setInt(int index, int value) {
        touched = true;
        super._setInt(index, value);
    }

    @Override
    protected void _setIntLE(int index, int value) {
        touched = true;
        super._setIntLE(index, value);
    }

    @Override
    protected void _setLong(int index, long value) {
        touched = true;
        super._setLong(index, value);
    }

    @Override
    protected void _setLongLE(int index, long value) {
        touched = true;
        super._setLongLE(index, value);
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        touched = true;
        return super.setBytes(index, src, srcIndex, length);
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        touched = true;
        return super.setBytes(index, src, srcIndex, length);
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        touched = true;
        return super.setBytes(index, src);
    }

    @Override
    public int setBytes(int index, InputStream in, int length) throws IOException {
        touched = true;
        return super.setBytes(index, in, length);
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) throws IOException {
        touched = true;
        return super.setBytes(index, in, length);
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) throws IOException {
        touched = true;
        return super.setBytes(index, in, position, length);
    }

    @Override
    public ByteBuf setZero(int index, int length) {
        touched = true;
        return super.setZero(index, length);
    }

    @Override
    public ByteBuf writeZero(int length) {
        touched = true;
        return super.writeZero(length);
    }

    @Override
    public int setCharSequence(int index, CharSequence sequence, Charset charset) {
        touched = true;
        return super.setCharSequence(index, sequence, charset);
    }

    @Override
    public int writeCharSequence(CharSequence sequence, Charset charset) {
        touched = true;
        return super.writeCharSequence(sequence, charset);
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        touched = true;
        return super.capacity(newCapacity);
    }

    // ---- raw memory handed out: writes through it cannot be seen

    @Override
    public long memoryAddress() {
        touched = true;
        return super.memoryAddress();
    }

    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        touched = true;
        return super.nioBuffer(index, length);
    }

    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        touched = true;
        return super.nioBuffers(index, length);
    }

    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        touched = true;
        return super.internalNioBuffer(index, length);
    }
}
