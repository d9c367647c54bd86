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
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.util.Recycler;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.charset.Charset;
import org.nettydivert.transport.PacketMetadata;
import org.nettydivert.transport.spi.ReadAddress;
import org.nettydivert.transport.unix.InterfaceNames;
import org.nettydivert.transport.unix.IpPackets;

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
 *
 * <p>Partial checksums: on loopback and with checksum offload the kernel leaves the TCP/UDP
 * checksum partial (NFQA_SKB_CSUMNOTREADY), and the divert contract promises the pipeline
 * complete ones. The buffer completes it on the first access to its bytes (every read, every
 * write, every hand-out of raw memory), so the pipeline cannot see it partial, and a packet
 * written back unseen (a pass-through, a filter deciding on metadata) costs no pass over its
 * bytes: the kernel's copy goes on and is completed by the kernel, as without a queue.
 *
 * <p>The base class is Netty's {@code UnpooledDirectByteBuf}, which reaches its memory through
 * the NIO buffer, and not the {@code sun.misc.Unsafe} flavour: Netty turns Unsafe off by default
 * from Java 25 on, where the Unsafe flavour fails on its first copy. Netty's own allocators make
 * the same choice at run time; the memory address the verdicts need is there either way (from
 * Java 22 on Netty takes it through {@code MemorySegment}).
 */
public final class VerdictBuf extends UnpooledDirectByteBuf {
    private static final int MAX_IP_PACKET = 65535;
    /**
     * Payloads up to this size (an Ethernet-MTU packet with room to spare) are copied into a
     * pooled VerdictBuf that owns memory of this size, so that reading one allocates no buffer,
     * no NIO view and no copy: the pass-through path of small and MTU-sized packets.
     */
    static final int POOLED_CAPACITY = 2048;
    /**
     * Pooled buffers kept per thread: 1024 x 2 KiB = 2 MiB at most per event loop, enough for
     * every packet of several full read batches to be in flight; beyond it, new ones are made
     * and left to the garbage collector.
     */
    private static final int POOL_PER_THREAD = 1024;

    /**
     * Every buffer made is pooled (ratio 1; Netty's default keeps one in eight): the packets in
     * flight are few and steady, and a buffer not pooled would cost its 2 KiB of zeroed memory
     * again, from the first packet on.
     */
    private static final Recycler<VerdictBuf> POOL = new Recycler<VerdictBuf>(POOL_PER_THREAD, 1, 32) {
        @Override
        protected VerdictBuf newObject(Handle<VerdictBuf> handle) {
            return new VerdictBuf(handle);
        }
    };
    /**
     * Pooled buffers are not made by an allocator, so they are tracked here: a packet the
     * pipeline neither writes nor releases is reported like any leaked ByteBuf (and fails the
     * tests, which run with the PARANOID level).
     */
    private static final ResourceLeakDetector<VerdictBuf> LEAKS =
            ResourceLeakDetectorFactory.instance().newResourceLeakDetector(VerdictBuf.class);

    /** Who hears of the release. */
    interface Owner {
        /** Called when the last reference to packet {@code packetId}'s content is released, on any thread. */
        void released(long packetId);
    }

    /** The pool's handle of a pooled buffer; null for a view of someone else's memory. */
    private final Recycler.Handle<VerdictBuf> handle;

    private ByteBufAllocator allocator;
    private Owner owner;
    private long packetId;
    private int mark;
    private int length;
    /** The memory a view holds (retained until release); null for a pooled buffer. */
    private ByteBuf memory;

    private boolean touched;
    /**
     * Whether the TCP/UDP checksum is still the partial one checksum offload left
     * (NFQA_SKB_CSUMNOTREADY): it is completed on the first access to the bytes, so that a
     * packet the pipeline writes back without looking costs no checksum pass (the kernel's copy,
     * which goes on, completes its own). Volatile, and completed under this object's lock, for a
     * packet first read by two threads at once.
     */
    private volatile boolean checksumPending;
    /** A view of this buffer's memory that bypasses its hooks, for the checksum completion. */
    private ByteBuf raw;
    /** A pooled buffer whose memory was replaced by a capacity change: it is not pooled again. */
    private boolean resized;

    private ResourceLeakTracker<VerdictBuf> leak;
    /** A pooled buffer's metadata object, filled for each of its packets; null for a view. */
    private final NfqueueMetadata.Reused reusedMetadata;
    /** A pooled buffer's read address, set for each of its packets; null for a view. */
    private final ReadAddress readAddress;

    /**
     * A view of {@code length} bytes at {@code offset} of {@code memory} (retained until release),
     * the packet with id {@code packetId} and mark {@code mark} as read.
     */
    VerdictBuf(Owner owner, long packetId, int mark, ByteBuf memory, int offset, int length) {
        super(memory.alloc(), memory.nioBuffer(offset, length), MAX_IP_PACKET);
        this.handle = null;
        this.reusedMetadata = null;
        this.readAddress = null;
        this.allocator = memory.alloc();
        this.owner = owner;
        this.packetId = packetId;
        this.mark = mark;
        this.length = length;
        this.memory = memory.retain();
    }

    /** A pooled buffer with memory of its own, made once and then reused by {@link #copyOf}. */
    private VerdictBuf(Recycler.Handle<VerdictBuf> handle) {
        // The direct buffer is this object's for its whole life, freed by the garbage collector
        // with it (UnpooledDirectByteBuf never frees a buffer it was given).
        super(ByteBufAllocator.DEFAULT, ByteBuffer.allocateDirect(POOLED_CAPACITY), MAX_IP_PACKET);
        this.handle = handle;
        this.reusedMetadata = new NfqueueMetadata.Reused();
        this.readAddress = new ReadAddress();
    }

    /**
     * A pooled buffer's read address object, to be set for its packet (it then belongs to the
     * packet until the last release, like the memory); null for a view.
     */
    ReadAddress readAddress() {
        return readAddress;
    }

    /**
     * The metadata of this buffer's packet, message {@code p} in {@code buf}: a pooled buffer's
     * own object filled again (see {@link NfqueueMetadata.Reused}), else an object of its own.
     */
    PacketMetadata metadata(NfqueueMessages.PacketView p, ByteBuf buf, InterfaceNames interfaces) {
        if (reusedMetadata == null) {
            return new NfqueueMetadata(p, buf, interfaces);
        }
        reusedMetadata.fill(p, buf, interfaces);
        return reusedMetadata;
    }

    /**
     * The packet with id {@code packetId} and mark {@code mark}: a copy of {@code length} bytes at
     * {@code offset} of {@code source}, in a pooled buffer when they fit one ({@code length <=
     * POOLED_CAPACITY}), else in a buffer of their own size from {@code allocator}.
     *
     * <p>Why reuse is safe: a pooled buffer goes back to the pool only from {@link #deallocate()},
     * when its last reference (the packet's, its slices' and duplicates') is released, and that
     * is also when the packet is answered; a pipeline that keeps a reference keeps the buffer out
     * of the pool. As with Netty's pooled buffers, using a buffer after releasing it is a bug
     * that reference counting reports until the buffer is reused, and not after.
     */
    static VerdictBuf copyOf(
            Owner owner, long packetId, int mark, ByteBuf source, int offset, int length, ByteBufAllocator allocator) {
        if (length > POOLED_CAPACITY) {
            ByteBuf copy = allocator.directBuffer(length, length);
            try {
                copy.writeBytes(source, offset, length);
                return new VerdictBuf(owner, packetId, mark, copy, 0, length);
            } finally {
                copy.release(); // the VerdictBuf holds it now
            }
        }
        VerdictBuf buf = POOL.get();
        buf.reuse(owner, packetId, mark, length, allocator);
        // super's: a copy in, not a write by the pipeline
        buf.superSetBytes(source, offset, length);
        return buf;
    }

    /** Everything a packet sets, set again, so that nothing of the previous packet shows. */
    private void reuse(Owner owner, long packetId, int mark, int length, ByteBufAllocator allocator) {
        resetRefCnt();
        this.owner = owner;
        this.packetId = packetId;
        this.mark = mark;
        this.length = length;
        this.allocator = allocator;
        this.touched = false;
        if (checksumPending) { // only if set: a volatile write costs a fence on every packet
            checksumPending = false;
        }
        this.resized = false;
        setIndex(0, 0);
        markReaderIndex();
        markWriterIndex();
        leak = LEAKS.track(this);
    }

    private void superSetBytes(ByteBuf source, int offset, int length) {
        // Into super's NIO view, which marks nothing (the copy is no write by the pipeline).
        source.getBytes(offset, super.internalNioBuffer(0, length));
        writerIndex(length);
    }

    /** Whether this buffer came from the pool (tests). */
    boolean isPooled() {
        return handle != null;
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

    /** The packet's TCP/UDP checksum is partial: complete it on the first access to the bytes. */
    void completeChecksumOnFirstAccess() {
        checksumPending = true;
    }

    /** Whether the checksum still waits for the first access (tests). */
    boolean isChecksumPending() {
        return checksumPending;
    }

    /** Before any access to the bytes. */
    private void access() {
        if (checksumPending) {
            completeChecksum();
        }
    }

    /** Before any way to change the bytes. */
    private void written() {
        access();
        touched = true;
    }

    private synchronized void completeChecksum() {
        if (!checksumPending) {
            return; // another thread did it meanwhile
        }
        ByteBuf r = raw;
        if (r == null) {
            // Over the same memory, once per buffer (a pooled one keeps it for all its packets).
            raw = r = Unpooled.wrappedBuffer(
                    super.internalNioBuffer(0, capacity()).duplicate());
        }
        if (IpPackets.malformation(r, 0, length) == null) {
            IpPackets.completeTransportChecksum(r, 0, length);
        }
        checksumPending = false;
    }

    /** The channel's allocator, as with a buffer the allocator made (a pooled buffer outlives its channel). */
    @Override
    public ByteBufAllocator alloc() {
        return allocator;
    }

    @Override
    public VerdictBuf touch(Object hint) {
        // As Netty's leak-aware buffers: touches are recorded at the ADVANCED and PARANOID levels
        // only (at SIMPLE, a record per pipeline hop of every sampled buffer costs a stack trace).
        if (leak != null
                && ResourceLeakDetector.getLevel().ordinal() >= ResourceLeakDetector.Level.ADVANCED.ordinal()) {
            leak.record(hint);
        }
        return this;
    }

    @Override
    public VerdictBuf touch() {
        return touch(null);
    }

    @Override
    protected void deallocate() {
        Owner o = owner;
        long id = packetId;
        try {
            if (handle == null) {
                super.deallocate();
                memory.release();
                memory = null;
            } else if (resized) {
                super.deallocate(); // frees the memory the capacity change allocated
                closeLeak();
            } else {
                // The memory stays with this object; it waits in the pool for the next packet.
                closeLeak();
                owner = null;
                allocator = null;
                handle.recycle(this);
            }
        } finally {
            o.released(id);
        }
    }

    private void closeLeak() {
        ResourceLeakTracker<VerdictBuf> l = leak;
        if (l != null) {
            leak = null;
            l.close(this);
        }
    }

    // ---- every way to change the bytes marks the buffer touched (the public setByte ... setLongLE
    // end in these _set methods; VerdictBufTest checks that each one does)

    @Override
    protected void _setByte(int index, int value) {
        written();
        super._setByte(index, value);
    }

    @Override
    protected void _setShort(int index, int value) {
        written();
        super._setShort(index, value);
    }

    @Override
    protected void _setShortLE(int index, int value) {
        written();
        super._setShortLE(index, value);
    }

    @Override
    protected void _setMedium(int index, int value) {
        written();
        super._setMedium(index, value);
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        written();
        super._setMediumLE(index, value);
    }

    @Override
    protected void _setInt(int index, int value) {
        written();
        super._setInt(index, value);
    }

    @Override
    protected void _setIntLE(int index, int value) {
        written();
        super._setIntLE(index, value);
    }

    @Override
    protected void _setLong(int index, long value) {
        written();
        super._setLong(index, value);
    }

    @Override
    protected void _setLongLE(int index, long value) {
        written();
        super._setLongLE(index, value);
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        written();
        return super.setBytes(index, src, srcIndex, length);
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        written();
        return super.setBytes(index, src, srcIndex, length);
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        written();
        return super.setBytes(index, src);
    }

    @Override
    public int setBytes(int index, InputStream in, int length) throws IOException {
        written();
        return super.setBytes(index, in, length);
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) throws IOException {
        written();
        return super.setBytes(index, in, length);
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) throws IOException {
        written();
        return super.setBytes(index, in, position, length);
    }

    @Override
    public ByteBuf setZero(int index, int length) {
        written();
        return super.setZero(index, length);
    }

    @Override
    public ByteBuf writeZero(int length) {
        written();
        return super.writeZero(length);
    }

    @Override
    public int setCharSequence(int index, CharSequence sequence, Charset charset) {
        written();
        return super.setCharSequence(index, sequence, charset);
    }

    @Override
    public int writeCharSequence(CharSequence sequence, Charset charset) {
        written();
        return super.writeCharSequence(sequence, charset);
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        written();
        if (newCapacity != capacity()) {
            resized = true;
            raw = null; // new memory
        }
        return super.capacity(newCapacity);
    }

    // ---- every way to read the bytes completes a partial checksum first (the public getByte ...
    // getLongLE end in these _get methods; VerdictBufTest checks that each way does)

    @Override
    protected byte _getByte(int index) {
        access();
        return super._getByte(index);
    }

    @Override
    protected short _getShort(int index) {
        access();
        return super._getShort(index);
    }

    @Override
    protected short _getShortLE(int index) {
        access();
        return super._getShortLE(index);
    }

    @Override
    protected int _getUnsignedMedium(int index) {
        access();
        return super._getUnsignedMedium(index);
    }

    @Override
    protected int _getUnsignedMediumLE(int index) {
        access();
        return super._getUnsignedMediumLE(index);
    }

    @Override
    protected int _getInt(int index) {
        access();
        return super._getInt(index);
    }

    @Override
    protected int _getIntLE(int index) {
        access();
        return super._getIntLE(index);
    }

    @Override
    protected long _getLong(int index) {
        access();
        return super._getLong(index);
    }

    @Override
    protected long _getLongLE(int index) {
        access();
        return super._getLongLE(index);
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        access();
        return super.getBytes(index, dst, dstIndex, length);
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        access();
        return super.getBytes(index, dst, dstIndex, length);
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuffer dst) {
        access();
        return super.getBytes(index, dst);
    }

    @Override
    public ByteBuf getBytes(int index, OutputStream out, int length) throws IOException {
        access();
        return super.getBytes(index, out, length);
    }

    @Override
    public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
        access();
        return super.getBytes(index, out, length);
    }

    @Override
    public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
        access();
        return super.getBytes(index, out, position, length);
    }

    @Override
    public ByteBuf readBytes(byte[] dst, int dstIndex, int length) {
        // Not super's (nor below): it reads through the internal NIO view, which marks the buffer touched.
        checkReadableBytes(length);
        getBytes(readerIndex(), dst, dstIndex, length);
        readerIndex(readerIndex() + length);
        return this;
    }

    @Override
    public ByteBuf readBytes(ByteBuffer dst) {
        int length = dst.remaining();
        checkReadableBytes(length);
        getBytes(readerIndex(), dst);
        readerIndex(readerIndex() + length);
        return this;
    }

    @Override
    public ByteBuf readBytes(OutputStream out, int length) throws IOException {
        access();
        return super.readBytes(out, length);
    }

    @Override
    public int readBytes(GatheringByteChannel out, int length) throws IOException {
        checkReadableBytes(length);
        int written = getBytes(readerIndex(), out, length);
        readerIndex(readerIndex() + written);
        return written;
    }

    @Override
    public int readBytes(FileChannel out, long position, int length) throws IOException {
        checkReadableBytes(length);
        int written = getBytes(readerIndex(), out, position, length);
        readerIndex(readerIndex() + written);
        return written;
    }

    @Override
    public ByteBuf copy(int index, int length) {
        access();
        return super.copy(index, length);
    }

    // ---- raw memory handed out: writes through it cannot be seen

    @Override
    public long memoryAddress() {
        written();
        return super.memoryAddress();
    }

    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        written();
        return super.nioBuffer(index, length);
    }

    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        written();
        return super.nioBuffers(index, length);
    }

    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        written();
        return super.internalNioBuffer(index, length);
    }
}
