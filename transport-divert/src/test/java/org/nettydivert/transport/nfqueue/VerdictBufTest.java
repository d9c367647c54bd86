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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.nettydivert.testing.Checksums;

/**
 * A VerdictBuf knows whether its bytes may have changed since they were read: every way to write
 * marks it touched, no way to read does. Nothing here needs a kernel.
 */
class VerdictBufTest {
    private static final int LENGTH = 64;

    private final List<Long> released = new ArrayList<>();
    private final VerdictBuf.Owner owner = released::add;

    private VerdictBuf buffer() {
        ByteBuf memory = Unpooled.directBuffer(LENGTH + 16);
        for (int i = 0; i < LENGTH + 16; i++) {
            memory.writeByte(i);
        }
        try {
            VerdictBuf buf = new VerdictBuf(owner, 42, 7, memory, 8, LENGTH);
            buf.writerIndex(LENGTH);
            return buf;
        } finally {
            memory.release();
        }
    }

    /** Netty's setters of one value, which land in the _set methods VerdictBuf overrides. */
    private static final Set<String> PRIMITIVE_SETTERS = Set.of(
            "setByte",
            "setShort",
            "setShortLE",
            "setMedium",
            "setMediumLE",
            "setInt",
            "setIntLE",
            "setLong",
            "setLongLE");

    private static final Map<String, Consumer<ByteBuf>> WRITES = new LinkedHashMap<>();
    private static final Map<String, Consumer<ByteBuf>> READS = new LinkedHashMap<>();

    static {
        WRITES.put("setByte", b -> b.setByte(0, 1));
        WRITES.put("setBoolean", b -> b.setBoolean(0, true));
        WRITES.put("setShort", b -> b.setShort(0, 1));
        WRITES.put("setShortLE", b -> b.setShortLE(0, 1));
        WRITES.put("setChar", b -> b.setChar(0, 'x'));
        WRITES.put("setMedium", b -> b.setMedium(0, 1));
        WRITES.put("setMediumLE", b -> b.setMediumLE(0, 1));
        WRITES.put("setInt", b -> b.setInt(0, 1));
        WRITES.put("setIntLE", b -> b.setIntLE(0, 1));
        WRITES.put("setFloat", b -> b.setFloat(0, 1));
        WRITES.put("setFloatLE", b -> b.setFloatLE(0, 1));
        WRITES.put("setLong", b -> b.setLong(0, 1));
        WRITES.put("setLongLE", b -> b.setLongLE(0, 1));
        WRITES.put("setDouble", b -> b.setDouble(0, 1));
        WRITES.put("setBytes(byte[])", b -> b.setBytes(0, new byte[] {1, 2}));
        WRITES.put("setBytes(ByteBuf)", b -> b.setBytes(0, Unpooled.wrappedBuffer(new byte[] {1, 2})));
        WRITES.put("setBytes(ByteBuffer)", b -> b.setBytes(0, ByteBuffer.wrap(new byte[] {1, 2})));
        WRITES.put("setBytes(InputStream)", b -> io(() -> b.setBytes(0, new ByteArrayInputStream(new byte[2]), 2)));
        WRITES.put(
                "setBytes(channel)",
                b -> io(() -> {
                    Pipe pipe = Pipe.open();
                    pipe.sink().write(ByteBuffer.wrap(new byte[2]));
                    b.setBytes(0, pipe.source(), 2);
                    pipe.sink().close();
                    pipe.source().close();
                }));
        WRITES.put("setZero", b -> b.setZero(0, 4));
        WRITES.put("setCharSequence", b -> b.setCharSequence(0, "ab", StandardCharsets.US_ASCII));
        WRITES.put("writeByte", b -> b.writerIndex(0).writeByte(1));
        WRITES.put("writeShort", b -> b.writerIndex(0).writeShort(1));
        WRITES.put("writeInt", b -> b.writerIndex(0).writeInt(1));
        WRITES.put("writeLong", b -> b.writerIndex(0).writeLong(1));
        WRITES.put("writeBytes", b -> b.writerIndex(0).writeBytes(new byte[] {1}));
        WRITES.put("writeZero", b -> b.writerIndex(0).writeZero(2));
        WRITES.put("writeCharSequence", b -> b.writerIndex(0).writeCharSequence("ab", StandardCharsets.UTF_8));
        WRITES.put("ByteBufUtil.writeUtf8", b -> ByteBufUtil.writeUtf8(b.writerIndex(0), "é"));
        WRITES.put("discardReadBytes", b -> b.readerIndex(4).discardReadBytes());
        WRITES.put("capacity", b -> b.capacity(LENGTH + 100));
        WRITES.put("a slice's setByte", b -> b.slice().setByte(0, 1));
        WRITES.put("a retained slice's setInt", b -> {
            ByteBuf slice = b.retainedSlice(4, 8);
            slice.setInt(0, 1);
            slice.release();
        });
        WRITES.put("a duplicate's writeShort", b -> b.duplicate().writerIndex(0).writeShort(1));
        WRITES.put(
                "copying into it", b -> Unpooled.wrappedBuffer(new byte[] {9}).getBytes(0, b, 0, 1));
        WRITES.put("memoryAddress", ByteBuf::memoryAddress);
        WRITES.put("nioBuffer", b -> b.nioBuffer().put(0, (byte) 1));
        WRITES.put("nioBuffers", ByteBuf::nioBuffers);
        WRITES.put("internalNioBuffer", b -> b.internalNioBuffer(0, 4));
        WRITES.put("a slice's memoryAddress", b -> b.slice(2, 4).memoryAddress());

        READS.put("getters", b -> {
            b.getByte(0);
            b.getShort(0);
            b.getUnsignedShort(2);
            b.getInt(0);
            b.getIntLE(0);
            b.getLong(8);
            b.getUnsignedInt(4);
        });
        READS.put("readers", b -> {
            b.readByte();
            b.readInt();
            b.readerIndex(0);
        });
        READS.put("getBytes into a byte[]", b -> b.getBytes(0, new byte[LENGTH]));
        READS.put("getBytes into a ByteBuf", b -> {
            ByteBuf out = Unpooled.directBuffer(LENGTH);
            b.getBytes(0, out, LENGTH);
            out.release();
        });
        READS.put("getBytes into a stream", b -> io(() -> b.getBytes(0, new ByteArrayOutputStream(), LENGTH)));
        READS.put(
                "getBytes into a channel",
                b -> io(() -> {
                    Pipe pipe = Pipe.open();
                    b.getBytes(0, pipe.sink(), LENGTH);
                    pipe.sink().close();
                    pipe.source().close();
                }));
        READS.put("copy", b -> b.copy().release());
        READS.put("hexDump", ByteBufUtil::hexDump);
        READS.put("toString", b -> b.toString(StandardCharsets.ISO_8859_1));
        READS.put("equals", b -> b.equals(Unpooled.wrappedBuffer(new byte[LENGTH])));
        READS.put("a slice's getters", b -> b.slice(4, 8).getLong(0));
        READS.put("asReadOnly", b -> b.asReadOnly().getInt(0));
        READS.put("readBytes into a byte[]", b -> b.readBytes(new byte[LENGTH]).readerIndex(0));
        READS.put("readBytes into a ByteBuffer", b -> b.readBytes(ByteBuffer.allocate(LENGTH))
                .readerIndex(0));
        READS.put("getBytes into a ByteBuffer", b -> b.getBytes(0, ByteBuffer.allocateDirect(LENGTH)));
        READS.put(
                "readBytes into a stream",
                b -> io(() -> b.readBytes(new ByteArrayOutputStream(), LENGTH).readerIndex(0)));
        READS.put(
                "readBytes into a channel",
                b -> io(() -> {
                    Pipe pipe = Pipe.open();
                    b.readBytes(pipe.sink(), LENGTH);
                    b.readerIndex(0);
                    pipe.sink().close();
                    pipe.source().close();
                }));
        READS.put("a duplicate's getShort", b -> b.duplicate().getShort(26));
        READS.put("forEachByte", b -> b.forEachByte(x -> true));
        READS.put("indexOf", b -> b.indexOf(0, LENGTH, (byte) 0x7F));
    }

    private interface IoAction {
        void run() throws Exception;
    }

    private static void io(IoAction action) {
        try {
            action.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFreshBufferIsUnchanged() {
        VerdictBuf buf = buffer();
        assertTrue(buf.isUnchanged(owner, 42));
        assertEquals(7, buf.mark());
        assertEquals(LENGTH, buf.readableBytes());
        assertEquals(8, buf.getByte(0), "a view of the bytes at the offset");
        assertFalse(buf.isUnchanged(owner, 43), "another packet's id");
        assertFalse(buf.isUnchanged(id -> {}, 42), "another socket");
        buf.release();
    }

    @Test
    void everyWayToWriteMarksItTouched() {
        for (Map.Entry<String, Consumer<ByteBuf>> write : WRITES.entrySet()) {
            VerdictBuf buf = buffer();
            try {
                write.getValue().accept(buf);
                assertTrue(buf.isTouched(), write.getKey() + " marks the buffer touched");
                assertFalse(buf.isUnchanged(owner, 42), write.getKey());
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void noWayToReadMarksItTouched() {
        for (Map.Entry<String, Consumer<ByteBuf>> read : READS.entrySet()) {
            VerdictBuf buf = buffer();
            try {
                read.getValue().accept(buf);
                assertFalse(buf.isTouched(), read.getKey() + " leaves the buffer as read");
                buf.readerIndex(0).writerIndex(LENGTH);
                assertTrue(buf.isUnchanged(owner, 42), read.getKey());
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void trimmingOrSkippingBytesIsAChange() {
        VerdictBuf buf = buffer();
        buf.writerIndex(LENGTH - 1);
        assertFalse(buf.isUnchanged(owner, 42), "cut short");
        buf.writerIndex(LENGTH).readerIndex(1);
        assertFalse(buf.isUnchanged(owner, 42), "head skipped");
        buf.readerIndex(0);
        assertTrue(buf.isUnchanged(owner, 42), "whole again, and nothing was written");
        buf.release();
    }

    @Test
    void theLastReleaseTellsTheOwnerOnce() {
        VerdictBuf buf = buffer();
        ByteBuf slice = buf.retainedSlice();
        buf.release();
        assertEquals(List.of(), released);
        slice.release();
        assertEquals(List.of(42L), released);
    }

    // ---- pooled copies (payloads up to POOLED_CAPACITY)

    private static ByteBuf source(int length, int seed) {
        ByteBuf b = Unpooled.directBuffer(length + 8);
        for (int i = 0; i < length + 8; i++) {
            b.writeByte(seed + i);
        }
        return b;
    }

    private VerdictBuf pooledCopy(long id, int mark, int length, int seed, ByteBufAllocator allocator) {
        ByteBuf src = source(length, seed);
        try {
            return VerdictBuf.copyOf(owner, id, mark, src, 8, length, allocator);
        } finally {
            src.release();
        }
    }

    @Test
    void aSmallPayloadIsCopiedIntoAPooledBufferThatLeavesTheSourceFree() {
        ByteBuf src = source(LENGTH, 0);
        VerdictBuf buf = VerdictBuf.copyOf(owner, 42, 7, src, 8, LENGTH, UnpooledByteBufAllocator.DEFAULT);
        assertEquals(1, src.refCnt(), "the copy holds no reference to the receive buffer");
        src.release();
        assertTrue(buf.isPooled());
        assertTrue(buf.isUnchanged(owner, 42));
        assertEquals(7, buf.mark());
        assertEquals(LENGTH, buf.readableBytes());
        assertEquals(8, buf.getByte(0), "the bytes at the offset");
        assertEquals(8 + LENGTH - 1, buf.getByte(LENGTH - 1));
        buf.release();
        assertEquals(List.of(42L), released);
    }

    /**
     * Runs {@code test} on a thread of its own, whose pool starts empty (the pool is per thread
     * and hands out buffers in the order they came back, so on a shared thread the buffers of
     * earlier tests would come first), and a Netty thread, as event loops are: Netty 4.2's
     * Recycler pools only on those.
     */
    private static void withEmptyPool(Runnable test) throws InterruptedException {
        Throwable[] failure = new Throwable[1];
        Thread t = new FastThreadLocalThread(() -> {
            try {
                test.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] instanceof Error) {
            throw (Error) failure[0];
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    @Test
    void aReleasedPooledBufferIsReusedAndShowsNothingOfItsPreviousPacket() throws InterruptedException {
        withEmptyPool(this::reuseShowsNothingOfThePreviousPacket);
    }

    private void reuseShowsNothingOfThePreviousPacket() {
        ByteBufAllocator first = UnpooledByteBufAllocator.DEFAULT;
        ByteBufAllocator second = new UnpooledByteBufAllocator(true);
        VerdictBuf a = pooledCopy(1, 0x11, 1400, 0, first);
        // The pipeline changed everything it could about the first packet.
        a.setByte(0, 0x7f);
        a.readerIndex(3).markReaderIndex();
        a.writerIndex(1000).markWriterIndex();
        a.release();

        VerdictBuf b = pooledCopy(2, 0x22, 100, 50, second);
        assertSame(a, b, "the same object, from the pool");
        assertEquals(1, b.refCnt());
        assertFalse(b.isTouched(), "the previous packet's write does not show");
        assertTrue(b.isUnchanged(owner, 2));
        assertFalse(b.isUnchanged(owner, 1), "nor its id");
        assertEquals(0x22, b.mark());
        assertEquals(0, b.readerIndex());
        assertEquals(100, b.writerIndex());
        b.resetReaderIndex().resetWriterIndex();
        assertEquals(0, b.readerIndex(), "nor its marked reader index");
        assertEquals(0, b.writerIndex(), "nor its marked writer index");
        b.writerIndex(100);
        assertEquals(58, b.getByte(0), "this packet's bytes");
        assertEquals((byte) (58 + 99), b.getByte(99));
        assertSame(second, b.alloc(), "this channel's allocator");
        b.release();
        assertEquals(List.of(1L, 2L), released, "each packet released once, under its own id");
    }

    @Test
    void aPooledBufferStillReferencedIsNotReused() throws InterruptedException {
        withEmptyPool(this::stillReferencedIsNotReused);
    }

    private void stillReferencedIsNotReused() {
        VerdictBuf a = pooledCopy(1, 0, LENGTH, 0, UnpooledByteBufAllocator.DEFAULT);
        ByteBuf slice = a.retainedSlice();
        a.release();
        VerdictBuf b = pooledCopy(2, 0, LENGTH, 9, UnpooledByteBufAllocator.DEFAULT);
        assertNotSame(a, b, "a slice still holds the first packet");
        assertEquals(8, slice.getByte(0), "and sees its bytes");
        slice.release();
        b.release();
        assertEquals(List.of(1L, 2L), released);
        VerdictBuf c = pooledCopy(3, 0, LENGTH, 0, UnpooledByteBufAllocator.DEFAULT);
        VerdictBuf d = pooledCopy(4, 0, LENGTH, 0, UnpooledByteBufAllocator.DEFAULT);
        assertTrue(a == c || a == d, "once the slice lets go, the buffer is pooled again");
        c.release();
        d.release();
    }

    @Test
    void aResizedPooledBufferLeavesThePool() throws InterruptedException {
        withEmptyPool(this::resizedLeavesThePool);
    }

    private void resizedLeavesThePool() {
        VerdictBuf a = pooledCopy(1, 0, LENGTH, 0, UnpooledByteBufAllocator.DEFAULT);
        a.capacity(4096);
        assertTrue(a.isTouched());
        a.release();
        VerdictBuf b = pooledCopy(2, 0, LENGTH, 0, UnpooledByteBufAllocator.DEFAULT);
        assertNotSame(a, b, "its memory was replaced: it is not pooled again");
        assertEquals(VerdictBuf.POOLED_CAPACITY, b.capacity());
        b.release();
        assertEquals(List.of(1L, 2L), released);
    }

    @Test
    void aPayloadLargerThanAPooledBufferGetsACopyOfItsOwnSize() {
        int length = VerdictBuf.POOLED_CAPACITY + 1;
        VerdictBuf buf = pooledCopy(3, 0, length, 0, UnpooledByteBufAllocator.DEFAULT);
        assertFalse(buf.isPooled());
        assertEquals(length, buf.capacity());
        assertTrue(buf.isUnchanged(owner, 3));
        buf.release();
        assertEquals(List.of(3L), released);
    }

    @Test
    void aPooledBufferReleasedOnAnotherThreadTellsTheOwnerOnceAndReturnsToItsPool() throws Exception {
        withEmptyPool(() -> {
            VerdictBuf a = pooledCopy(5, 0, LENGTH, 0, UnpooledByteBufAllocator.DEFAULT);
            Thread other = new Thread(a::release); // a plain thread, as a user's executor may be
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertEquals(List.of(5L), released);
            VerdictBuf b = pooledCopy(6, 0, LENGTH, 1, UnpooledByteBufAllocator.DEFAULT);
            assertSame(a, b, "back in the pool of the thread that made it");
            assertTrue(b.isUnchanged(owner, 6));
            assertEquals(9, b.getByte(0));
            b.release();
        });
    }

    /**
     * A new Netty release that adds a way to write to the buffer must not slip past: every public
     * method that can write, declared by VerdictBuf's superclasses, is overridden by VerdictBuf,
     * is a setter of one value that the tests above see marking the buffer, or is one that Netty builds on those (the ByteBuf and AbstractByteBuf set/write family, which lands in
     * the overridden _set methods, setBytes or setZero; the tests above exercise them).
     */
    @Test
    void everyWriterOfTheSuperclassesIsCovered() {
        Set<String> built = Set.of(
                "setBoolean",
                "setChar",
                "setFloat",
                "setDouble",
                "setBytes",
                "writeBoolean",
                "writeByte",
                "writeShort",
                "writeShortLE",
                "writeMedium",
                "writeMediumLE",
                "writeInt",
                "writeIntLE",
                "writeLong",
                "writeLongLE",
                "writeChar",
                "writeFloat",
                "writeDouble",
                "writeBytes",
                "discardReadBytes",
                "discardSomeReadBytes",
                "ensureWritable",
                "nioBuffer",
                "nioBuffers",
                "setFloatLE",
                "setDoubleLE",
                "writeFloatLE",
                "writeDoubleLE");
        Set<String> overridden = new TreeSet<>();
        for (Method m : VerdictBuf.class.getDeclaredMethods()) {
            overridden.add(signature(m));
        }
        Set<String> missing = new TreeSet<>();
        for (Class<?> c = VerdictBuf.class.getSuperclass(); c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isStatic(m.getModifiers())
                        || Modifier.isPrivate(m.getModifiers())
                        || Modifier.isAbstract(m.getModifiers())) {
                    continue;
                }
                String name = m.getName();
                boolean writes = name.startsWith("set")
                                && !name.startsWith("setIndex")
                                && !name.startsWith("setReaderIndex")
                                && !name.equals("setRefCnt")
                                && !name.equals("setByteBuffer")
                        || name.startsWith("_set")
                        || name.startsWith("write") && !name.equals("writerIndex") && !name.equals("writableBytes")
                        || name.equals("memoryAddress")
                        || name.equals("internalNioBuffer")
                        || name.startsWith("nioBuffer") && m.getParameterCount() > 0
                        || name.equals("capacity") && m.getParameterCount() == 1;
                if (!writes || overridden.contains(signature(m))) {
                    continue;
                }
                if ((c == AbstractByteBuf.class || c == ByteBuf.class) && built.contains(name)
                        || PRIMITIVE_SETTERS.contains(name) && WRITES.containsKey(name)) {
                    continue;
                }
                missing.add(c.getSimpleName() + "." + signature(m));
            }
        }
        if (!missing.isEmpty()) {
            fail("VerdictBuf does not see writes through " + missing);
        }
    }

    private static String signature(Method m) {
        StringBuilder s = new StringBuilder(m.getName()).append('(');
        for (Class<?> p : m.getParameterTypes()) {
            s.append(p.getSimpleName()).append(',');
        }
        return s.append(')').toString();
    }

    // ---- a partial checksum (NFQA_SKB_CSUMNOTREADY) is completed on the first access

    /** A UDP/IPv4 packet of LENGTH bytes whose checksum field holds a partial sum, marked so. */
    private VerdictBuf partialChecksumPacket() {
        ByteBuf memory = Unpooled.directBuffer(LENGTH);
        memory.writeByte(0x45)
                .writeByte(0)
                .writeShort(LENGTH)
                .writeInt(0)
                .writeByte(64)
                .writeByte(17);
        memory.writeShort(0).writeInt(0x0A000001).writeInt(0x0A000002); // header checksum not checked here
        memory.writeShort(12345).writeShort(53).writeShort(LENGTH - 20).writeShort(0x1234); // partial
        while (memory.writerIndex() < LENGTH) {
            memory.writeByte(memory.writerIndex() * 7);
        }
        try {
            VerdictBuf buf = new VerdictBuf(owner, 42, 7, memory, 0, LENGTH);
            buf.writerIndex(LENGTH);
            buf.completeChecksumOnFirstAccess();
            return buf;
        } finally {
            memory.release();
        }
    }

    private static byte[] bytesOf(ByteBuf buf) {
        byte[] bytes = new byte[LENGTH];
        buf.getBytes(0, bytes);
        return bytes;
    }

    @Test
    void everyWayToReadSeesTheChecksumCompletedAndNoneMarksItTouched() {
        for (Map.Entry<String, Consumer<ByteBuf>> read : READS.entrySet()) {
            VerdictBuf buf = partialChecksumPacket();
            try {
                assertTrue(buf.isChecksumPending());
                read.getValue().accept(buf);
                assertFalse(buf.isChecksumPending(), read.getKey() + " completes the checksum");
                byte[] bytes = bytesOf(buf);
                assertEquals(Checksums.udp4(bytes), (bytes[26] & 0xFF) << 8 | bytes[27] & 0xFF, read.getKey());
                assertFalse(buf.isTouched(), read.getKey() + ": completing is not the pipeline's write");
                buf.readerIndex(0).writerIndex(LENGTH);
                assertTrue(buf.isUnchanged(owner, 42), read.getKey());
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void everyWayToWriteCompletesTheChecksumFirst() {
        for (Map.Entry<String, Consumer<ByteBuf>> write : WRITES.entrySet()) {
            VerdictBuf buf = partialChecksumPacket();
            try {
                write.getValue().accept(buf);
                assertFalse(buf.isChecksumPending(), write.getKey() + " completes the checksum");
            } finally {
                buf.release();
            }
        }
        // First completed, then written: a checksum the pipeline sets is not overwritten later.
        VerdictBuf buf = partialChecksumPacket();
        buf.setShort(26, 0); // "no checksum", UDP over IPv4
        assertEquals(0, buf.getShort(26));
        assertTrue(buf.isTouched());
        buf.release();
    }

    @Test
    void aPacketNobodyLooksAtKeepsItsPartialChecksumAndStaysUnchanged() {
        VerdictBuf buf = partialChecksumPacket();
        buf.retain().touch("hint");
        buf.readerIndex(2).readerIndex(0).markReaderIndex();
        buf.release();
        assertEquals(LENGTH, buf.readableBytes());
        assertTrue(buf.isUnchanged(owner, 42));
        assertTrue(buf.isChecksumPending(), "no pass over the bytes");
        ByteBuf slice = buf.slice(20, 8);
        assertTrue(buf.isChecksumPending(), "a slice made is not yet a look");
        assertNotEquals(0x1234, slice.getUnsignedShort(6), "the first look through the slice completes it");
        assertFalse(buf.isChecksumPending());
        buf.release();
    }

    @Test
    void aMalformedPacketIsLeftAsItWas() {
        VerdictBuf bad = buffer(); // bytes 8..71: IP version 0, no packet
        bad.completeChecksumOnFirstAccess();
        byte[] expected = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            expected[i] = (byte) (i + 8);
        }
        assertArrayEquals(expected, bytesOf(bad));
        assertFalse(bad.isChecksumPending());
        bad.release();
    }

    @Test
    void twoThreadsLookingFirstAtOnceBothSeeTheCompleteChecksum() throws Exception {
        byte[] expected = new byte[LENGTH];
        VerdictBuf first = partialChecksumPacket();
        first.getBytes(0, expected);
        first.release();
        int want = (expected[26] & 0xFF) << 8 | expected[27] & 0xFF;
        for (int round = 0; round < 2000; round++) {
            VerdictBuf buf = partialChecksumPacket();
            CyclicBarrier start = new CyclicBarrier(2);
            int[] seen = new int[2];
            Thread other = new Thread(() -> {
                io(start::await);
                seen[1] = buf.getUnsignedShort(26);
            });
            other.start();
            start.await();
            seen[0] = buf.getUnsignedShort(26);
            other.join();
            assertEquals(want, seen[0], "round " + round);
            assertEquals(want, seen[1], "round " + round);
            buf.release();
        }
    }
}
