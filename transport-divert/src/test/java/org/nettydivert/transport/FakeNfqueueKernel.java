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

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.nettydivert.transport.nfqueue.EpollPoller;
import org.nettydivert.transport.nfqueue.NfqueueIo;
import org.nettydivert.transport.nfqueue.NfqueueMessages;
import org.nettydivert.transport.nfqueue.NfqueueSocket;
import org.nettydivert.transport.nfqueue.RawInjector;
import org.nettydivert.transport.nfqueue.VerdictEngine;
import org.nettydivert.transport.unix.Errno;
import org.nettydivert.transport.unix.Native;

/**
 * A stand-in for nfnetlink_queue behind {@link NfqueueIo}, so that {@link NfqueueSocket} and its
 * {@link VerdictEngine} run as an ordinary user. It queues packets under ids that grow by one,
 * hands them out as real {@code NFQNL_MSG_PACKET} messages (written here, independently of
 * {@link NfqueueMessages}, so that the real parser reads them), and parses the verdict and batch
 * verdict messages it is sent, as the kernel does: a verdict for an id it does not hold is
 * refused with an NLMSG_ERROR reply, a batch verdict applies to every held id up to its own,
 * NF_REPEAT queues the packet again under a new id (with the verdict's mark, which the kernel
 * sets before it runs the hook again), NF_QUEUE with a queue number hands it to another queue
 * (recorded only), an NFQA_CT attribute's nested CTA_MARK is recorded as the connmark. What it applied is recorded in order, with
 * injected packets in the same timeline. On demand it refuses a whole sendmsg (EAGAIN or another
 * errno: netlink applies all of a datagram or none of it), refuses the verdicts for one packet
 * within a send that otherwise applies (answering with NLMSG_ERROR), fails reads, or fails raw
 * sendto calls.
 *
 * <p>Its descriptors are real eventfds, so that a real {@link DivertIoHandler} loop can watch
 * them: the netlink one is readable while packets wait to be handed out; all are writable.
 * Thread-safe: tests queue packets while the event loop reads.
 */
final class FakeNfqueueKernel implements NfqueueIo {
    static final int PACKET_TYPE = 3 << 8; // NFNL_SUBSYS_QUEUE, NFQNL_MSG_PACKET
    static final int VERDICT_TYPE = 3 << 8 | 1;
    static final int VERDICT_BATCH_TYPE = 3 << 8 | 3;

    /** A packet the fake holds or will hand out. */
    static final class Packet {
        final long id;
        final byte[] bytes;
        int hook = 3; // NF_INET_LOCAL_OUT
        int mark;
        int inIndex;
        int outIndex;
        /** How many bytes the message carries: fewer than {@code bytes} means truncated (NFQA_CAP_LEN). */
        int copied;

        boolean withPayload = true;
        int skbInfo;
        // Metadata, sent when set (not 0, null or -1), in the kernel's order of attributes.
        int physInIndex;
        int physOutIndex;
        byte[] hwAddress;
        long timestampSeconds = -1;
        long timestampMicros;
        int priority;
        int vlanProto;
        int vlanTci = -1;
        long uid = -1;
        long gid = -1;
        int ctInfo = -1;
        long ctId = -1;
        int ctMark;
        int ctStatus;
        String secctx;

        Packet(long id, byte[] bytes) {
            this.id = id;
            this.bytes = bytes;
            this.copied = bytes.length;
        }
    }

    /** One verdict the fake applied, or one injected packet (id -1). */
    static final class Event {
        final long id;
        /**
         * NF_DROP 0, NF_ACCEPT 1, NF_REPEAT 4, NF_QUEUE 3 with the queue number in the high 16
         * bits; -1 for an injected packet.
         */
        final int verdict;
        /** The payload sent with the verdict, or the injected packet, in hex; null if none. */
        final String payload;
        /** The mark sent with the verdict, or null if none. */
        final Integer mark;
        /** Whether a batch verdict applied it. */
        final boolean batch;
        /** The connmark (CTA_MARK in NFQA_CT) sent with the verdict, or null if none. */
        final Long connmark;
        /** The conntrack labels (CTA_LABELS, whose CTA_LABELS_MASK must equal it) sent, or null. */
        java.util.BitSet connlabels;

        Event(long id, int verdict, String payload, Integer mark, boolean batch) {
            this(id, verdict, payload, mark, batch, null);
        }

        Event(long id, int verdict, String payload, Integer mark, boolean batch, Long connmark) {
            this.id = id;
            this.verdict = verdict;
            this.payload = payload;
            this.mark = mark;
            this.batch = batch;
            this.connmark = connmark;
        }

        /** The queue an NF_QUEUE verdict hands the packet to, or -1. */
        int handOffQueue() {
            return (verdict & 0xFF) == 3 ? verdict >>> 16 : -1;
        }

        boolean isInjection() {
            return verdict == -1;
        }

        @Override
        public String toString() {
            if (isInjection()) {
                return "inject " + payload;
            }
            String name = verdict == 1
                    ? "ACCEPT"
                    : verdict == 0
                            ? "DROP"
                            : verdict == 4 ? "REPEAT" : handOffQueue() >= 0 ? "QUEUE " + handOffQueue() : "" + verdict;
            return id + " " + name + (batch ? " (batch)" : "") + (mark != null ? " mark " + mark : "")
                    + (connmark != null ? " connmark " + connmark : "")
                    + (connlabels != null ? " connlabels " + connlabels : "")
                    + (payload != null ? " payload " + payload.length() / 2 : "");
        }
    }

    final int netlinkFd;
    final int raw4Fd;
    final int raw6Fd;
    private final int queue;
    private final Memory counter = new Memory(8);
    /** What the netlink socket hands out next: a Packet (its message written then) or a message's bytes. */
    private final Deque<Object> out = new ArrayDeque<>();

    private final TreeMap<Long, Packet> held = new TreeMap<>();
    private final List<Event> timeline = new ArrayList<>();
    private final List<String> refused = new ArrayList<>();
    private final Deque<Integer> sendErrors = new ArrayDeque<>();
    private final Deque<Integer> receiveErrors = new ArrayDeque<>();
    private final Set<Long> rejected = new HashSet<>();
    private final Deque<Integer> rawErrors = new ArrayDeque<>();
    private final List<Integer> closed = new ArrayList<>();
    private long nextId = 1;
    private int errno;
    private int sendCalls;
    private int sendBufferSize = 8 << 20;
    private boolean readable;

    FakeNfqueueKernel(int queue) {
        this.queue = queue;
        netlinkFd = eventfd();
        raw4Fd = eventfd();
        raw6Fd = eventfd();
    }

    private static int eventfd() {
        int fd = Native.Linux.eventfd(0, EpollPoller.EFD_CLOEXEC | EpollPoller.EFD_NONBLOCK);
        if (fd < 0) {
            throw new AssertionError("eventfd: " + Errno.name(Native.errno()));
        }
        return fd;
    }

    /** An injector over this fake's raw descriptors. */
    RawInjector injector() {
        return new RawInjector(this, raw4Fd, raw6Fd, null);
    }

    // ---- what tests do

    /** Queues a packet under the next id and makes the netlink descriptor readable. */
    Packet queue(byte[] bytes) {
        return queue(bytes, p -> {});
    }

    /**
     * Queues a packet under the next id, lets {@code adjust} set its attributes, and only then
     * makes the netlink descriptor readable: the event loop may read it at once, so a packet
     * adjusted after queueing could be handed out before (or without) the change.
     */
    synchronized Packet queue(byte[] bytes, java.util.function.Consumer<Packet> adjust) {
        Packet p = new Packet(nextId++, bytes);
        adjust.accept(p);
        held.put(p.id, p);
        out.add(p);
        setReadable(true);
        return p;
    }

    /** Queues packets that the netlink socket hands out together, in one datagram. */
    synchronized List<Packet> queueInOneDatagram(byte[]... packets) {
        List<Packet> together = new ArrayList<>();
        for (byte[] bytes : packets) {
            Packet p = new Packet(nextId++, bytes);
            held.put(p.id, p);
            together.add(p);
        }
        out.add(together);
        setReadable(true);
        return together;
    }

    /** The next reads of the netlink socket fail with these errnos, in turn. */
    synchronized void failReceives(int... errnos) {
        for (int e : errnos) {
            receiveErrors.add(e);
        }
        setReadable(true);
    }

    /** Verdicts for packet {@code id} are refused, as the kernel refuses one for a packet it does not hold. */
    synchronized void rejectVerdictsFor(long id) {
        rejected.add(id);
    }

    /** Packets are given ids from {@code id} on (the kernel's ids have gaps where it could not deliver). */
    synchronized void skipTo(long id) {
        nextId = id;
    }

    /** The next sendmsg calls fail with these errnos, in turn (0: succeeds). */
    synchronized void failSends(int... errnos) {
        for (int e : errnos) {
            sendErrors.add(e);
        }
    }

    /** The next raw sendto calls fail with these errnos, in turn (0: succeeds). */
    synchronized void failRawSends(int... errnos) {
        for (int e : errnos) {
            rawErrors.add(e);
        }
    }

    synchronized void setSendBufferSize(int bytes) {
        sendBufferSize = bytes;
    }

    synchronized List<Event> timeline() {
        return new ArrayList<>(timeline);
    }

    /** The verdicts applied, in order, without injections. */
    synchronized List<Event> verdicts() {
        List<Event> verdicts = new ArrayList<>();
        for (Event e : timeline) {
            if (!e.isInjection()) {
                verdicts.add(e);
            }
        }
        return verdicts;
    }

    /** The verdict packet {@code id} got, or null. */
    synchronized Event verdictFor(long id) {
        for (Event e : timeline) {
            if (e.id == id && !e.isInjection()) {
                return e;
            }
        }
        return null;
    }

    /** Verdicts the fake refused, for ids it did not hold: each one a second verdict, a bug. */
    synchronized List<String> refused() {
        return new ArrayList<>(refused);
    }

    /** Ids queued or handed out and not answered yet. */
    synchronized List<Long> held() {
        return new ArrayList<>(held.keySet());
    }

    /** Forgets the packets held: the kernel drops them itself when the queue's socket closes. */
    synchronized void clearHeld() {
        held.clear();
    }

    synchronized void clearRefused() {
        refused.clear();
    }

    synchronized int sendCalls() {
        return sendCalls;
    }

    synchronized List<Integer> closed() {
        return new ArrayList<>(closed);
    }

    /** Waits up to five seconds for {@code condition}; false if it never held. */
    boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    /** Waits until no packet is held and none waits to be read. */
    boolean awaitEmpty() throws InterruptedException {
        return await(() -> held().isEmpty());
    }

    /** Waits until {@code count} verdicts were applied. */
    boolean awaitVerdicts(int count) throws InterruptedException {
        return await(() -> verdicts().size() >= count);
    }

    // ---- NfqueueIo

    @Override
    public int netlinkFd() {
        return netlinkFd;
    }

    @Override
    public synchronized int receive(long msgvec, int vlen) {
        Integer e = receiveErrors.poll();
        if (e != null) {
            if (out.isEmpty() && receiveErrors.isEmpty()) {
                setReadable(false);
            }
            return fail(e);
        }
        if (out.isEmpty()) {
            return fail(Errno.EAGAIN);
        }
        Pointer headers = new Pointer(msgvec);
        int n = 0;
        while (n < vlen && !out.isEmpty()) {
            Object next = out.poll();
            byte[] datagram = next instanceof byte[] ? (byte[]) next : datagram(next);
            long h = (long) n * 64; // struct mmsghdr on Linux x86-64
            long iov = headers.getLong(h + 16);
            long iovlen = headers.getLong(h + 24);
            if (iovlen != 1) {
                throw new AssertionError("one iovec per datagram expected, got " + iovlen);
            }
            Pointer vec = new Pointer(iov);
            long room = vec.getLong(8);
            if (datagram.length > room) {
                throw new AssertionError("a " + datagram.length + "-byte message in a " + room + "-byte slot");
            }
            new Pointer(vec.getLong(0)).write(0, datagram, 0, datagram.length);
            headers.setInt(h + 48, 0); // msg_flags
            headers.setInt(h + 56, datagram.length); // msg_len
            n++;
        }
        if (out.isEmpty() && receiveErrors.isEmpty()) {
            setReadable(false);
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private byte[] datagram(Object packets) {
        if (packets instanceof Packet) {
            return packetMessage((Packet) packets);
        }
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        for (Packet p : (List<Packet>) packets) {
            b.put(packetMessage(p));
        }
        byte[] datagram = new byte[b.position()];
        b.get(0, datagram);
        return datagram;
    }

    private byte[] packetMessage(Packet p) {
        return packetMessage(p, queue);
    }

    /** The NFQNL_MSG_PACKET the kernel sends for {@code p}, as nfqnl_build_packet_message writes it. */
    static byte[] packetMessage(Packet p, int queue) {
        ByteBuffer b = ByteBuffer.allocate(512 + p.copied + (p.secctx == null ? 0 : 4 * p.secctx.length()))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putShort((short) PACKET_TYPE).putShort((short) 0).putInt(0).putInt(0);
        b.put((byte) 2).put((byte) 0).order(ByteOrder.BIG_ENDIAN).putShort((short) queue);
        // nfqnl_msg_packet_hdr: packet_id, hw_protocol (both big-endian), hook
        attribute(b, 1, 7).putInt((int) p.id).putShort((short) 0x0800).put((byte) p.hook);
        pad(b);
        if (p.mark != 0) {
            attribute(b, 3, 4).putInt(p.mark);
        }
        if (p.inIndex != 0) {
            attribute(b, 5, 4).putInt(p.inIndex);
        }
        if (p.outIndex != 0) {
            attribute(b, 6, 4).putInt(p.outIndex);
        }
        if (p.physInIndex != 0) {
            attribute(b, 7, 4).putInt(p.physInIndex); // NFQA_IFINDEX_PHYSINDEV
        }
        if (p.physOutIndex != 0) {
            attribute(b, 8, 4).putInt(p.physOutIndex); // NFQA_IFINDEX_PHYSOUTDEV
        }
        if (p.hwAddress != null) {
            // nfqnl_msg_packet_hw: hw_addrlen (big-endian), _pad, hw_addr[8]
            attribute(b, 9, 12).putShort((short) p.hwAddress.length).putShort((short) 0);
            b.put(p.hwAddress).put(new byte[8 - p.hwAddress.length]);
        }
        if (p.timestampSeconds >= 0) {
            attribute(b, 4, 16).putLong(p.timestampSeconds).putLong(p.timestampMicros); // NFQA_TIMESTAMP
        }
        if (p.priority != 0) {
            attribute(b, 21, 4).putInt(p.priority); // NFQA_PRIORITY
        }
        if (p.vlanTci >= 0) {
            // NFQA_VLAN, nested (the kernel sets NLA_F_NESTED): NFQA_VLAN_PROTO, NFQA_VLAN_TCI
            attribute(b, 19 | 0x8000, 16);
            attribute(b, 1, 2).putShort((short) p.vlanProto);
            pad(b);
            attribute(b, 2, 2).putShort((short) p.vlanTci);
            pad(b);
        }
        if (p.ctId >= 0) {
            // NFQA_CT, nested as ctnetlink dumps a conntrack: an original tuple first (skipped by
            // the parser), then CTA_STATUS, CTA_MARK when not 0, CTA_ID.
            int start = b.position();
            attribute(b, 11 | 0x8000, 0);
            attribute(b, 1 | 0x8000, 4); // CTA_TUPLE_ORIG, with one empty inner attribute
            attribute(b, 1 | 0x8000, 0);
            attribute(b, 3, 4).putInt(p.ctStatus); // CTA_STATUS
            if (p.ctMark != 0) {
                attribute(b, 8, 4).putInt(p.ctMark); // CTA_MARK
            }
            attribute(b, 12, 4).putInt((int) p.ctId); // CTA_ID
            b.order(ByteOrder.LITTLE_ENDIAN).putShort(start, (short) (b.position() - start));
            b.order(ByteOrder.BIG_ENDIAN);
        }
        if (p.ctInfo >= 0) {
            attribute(b, 12, 4).putInt(p.ctInfo); // NFQA_CT_INFO
        }
        if (p.skbInfo != 0) {
            attribute(b, 14, 4).putInt(p.skbInfo);
        }
        if (p.uid >= 0) {
            attribute(b, 16, 4).putInt((int) p.uid); // NFQA_UID
        }
        if (p.gid >= 0) {
            attribute(b, 17, 4).putInt((int) p.gid); // NFQA_GID
        }
        if (p.secctx != null) {
            // NFQA_SECCTX: the label with its C string's NUL, as SELinux gives it
            byte[] label = (p.secctx + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            attribute(b, 18, label.length).put(label);
            pad(b);
        }
        if (p.copied < p.bytes.length) {
            attribute(b, 13, 4).putInt(p.bytes.length);
        }
        if (p.withPayload) {
            attribute(b, 10, p.copied).put(p.bytes, 0, p.copied);
            pad(b);
        }
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(0, b.position());
        byte[] message = new byte[b.position()];
        b.get(0, message);
        return message;
    }

    private static ByteBuffer attribute(ByteBuffer b, int type, int length) {
        return b.order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) (4 + length))
                .putShort((short) type)
                .order(ByteOrder.BIG_ENDIAN);
    }

    private static void pad(ByteBuffer b) {
        while ((b.position() & 3) != 0) {
            b.put((byte) 0);
        }
    }

    @Override
    public synchronized long send(long msghdr) {
        sendCalls++;
        Integer e = sendErrors.poll();
        if (e != null && e != 0) {
            return fail(e); // nothing applied, as with a real refused sendmsg
        }
        Pointer header = new Pointer(msghdr);
        long iov = header.getLong(16);
        long iovlen = header.getLong(24);
        ByteBuffer all = ByteBuffer.allocate(1 << 22);
        for (int v = 0; v < iovlen; v++) {
            Pointer vec = new Pointer(iov + 16L * v);
            byte[] bytes = new byte[(int) vec.getLong(8)];
            new Pointer(vec.getLong(0)).read(0, bytes, 0, bytes.length);
            all.put(bytes);
        }
        int length = all.position();
        all.flip().order(ByteOrder.LITTLE_ENDIAN);
        for (int m = 0; m + 16 <= length; ) {
            int messageLength = all.order(ByteOrder.LITTLE_ENDIAN).getInt(m);
            if (messageLength < 16 || m + messageLength > length) {
                throw new AssertionError("a malformed netlink message at " + m + " of " + length);
            }
            applyVerdict(all, m, messageLength);
            m += (messageLength + 3) & ~3;
        }
        return length;
    }

    private void applyVerdict(ByteBuffer all, int m, int length) {
        int type = all.order(ByteOrder.LITTLE_ENDIAN).getShort(m + 4) & 0xFFFF;
        if (type != VERDICT_TYPE && type != VERDICT_BATCH_TYPE) {
            throw new AssertionError("not a verdict: type " + Integer.toHexString(type));
        }
        if ((all.order(ByteOrder.BIG_ENDIAN).getShort(m + 18) & 0xFFFF) != queue) {
            throw new AssertionError("a verdict for another queue");
        }
        int verdict = -1;
        long id = -1;
        Integer mark = null;
        Long connmark = null;
        java.util.BitSet labels = null;
        java.util.BitSet labelsMask = null;
        String payload = null;
        for (int a = m + 20; a + 4 <= m + length; ) {
            int attrLength = all.order(ByteOrder.LITTLE_ENDIAN).getShort(a) & 0xFFFF;
            int attrType = all.getShort(a + 2) & 0x3FFF;
            all.order(ByteOrder.BIG_ENDIAN);
            if (attrType == 2) { // NFQA_VERDICT_HDR
                verdict = all.getInt(a + 4);
                id = all.getInt(a + 8) & 0xFFFFFFFFL;
            } else if (attrType == 3) { // NFQA_MARK
                mark = all.getInt(a + 4);
            } else if (attrType == 11) { // NFQA_CT: conntrack attributes, as ctnetlink_glue_parse reads them
                for (int c = a + 4; c + 4 <= a + attrLength; ) {
                    int ctLength = all.order(ByteOrder.LITTLE_ENDIAN).getShort(c) & 0xFFFF;
                    int ctType = all.getShort(c + 2) & 0x3FFF;
                    all.order(ByteOrder.BIG_ENDIAN);
                    if (ctType == 8 && ctLength == 8) { // CTA_MARK, a big-endian u32
                        connmark = all.getInt(c + 4) & 0xFFFFFFFFL;
                    } else if ((ctType == 22 || ctType == 23) && ctLength == 20) {
                        // CTA_LABELS / CTA_LABELS_MASK: u32 words in host order (little-endian here).
                        byte[] bits = new byte[16];
                        all.get(c + 4, bits);
                        if (ctType == 22) {
                            labels = java.util.BitSet.valueOf(bits);
                        } else {
                            labelsMask = java.util.BitSet.valueOf(bits);
                        }
                    } else {
                        throw new AssertionError("unexpected conntrack attribute " + ctType + ", length " + ctLength);
                    }
                    c += (ctLength + 3) & ~3;
                }
                all.order(ByteOrder.BIG_ENDIAN);
            } else if (attrType == 10) { // NFQA_PAYLOAD
                byte[] bytes = new byte[attrLength - 4];
                all.get(a + 4, bytes);
                payload = ByteBufUtil.hexDump(bytes);
            } else {
                throw new AssertionError("unexpected verdict attribute " + attrType);
            }
            a += (attrLength + 3) & ~3;
        }
        // nfqnl_recv_verdict refuses verdicts above NF_MAX_VERDICT; only NF_QUEUE (and NF_DROP's
        // errno) use the high bits, and this backend sends no errno.
        int code = verdict & 0xFF;
        if ((code != 0 && code != 1 && code != 3 && code != 4) || (code != 3 && verdict >>> 16 != 0)) {
            throw new AssertionError("not a verdict this backend sends: 0x" + Integer.toHexString(verdict));
        }
        if (type == VERDICT_BATCH_TYPE) {
            if (mark != null || payload != null || connmark != null) {
                throw new AssertionError("a batch verdict carries neither mark nor payload");
            }
            List<Long> covered = new ArrayList<>(held.headMap(id, true).keySet());
            if (covered.isEmpty()) {
                refuse(id, "batch verdict up to id " + id + " covers no packet");
            }
            for (long covers : covered) {
                apply(held.remove(covers), verdict, null, null, true);
            }
            return;
        }
        Packet p = held.get(id);
        if (p == null || rejected.contains(id)) {
            refuse(id, "verdict " + verdict + " for id " + id + ", which is not waiting");
            return;
        }
        if (!java.util.Objects.equals(labels, labelsMask)) {
            throw new AssertionError("labels " + labels + " with mask " + labelsMask + ": others would be cleared");
        }
        held.remove(id);
        apply(p, verdict, payload, mark, false, connmark);
        timeline.get(timeline.size() - 1).connlabels = labels;
    }

    private void apply(Packet p, int verdict, String payload, Integer mark, boolean batch) {
        apply(p, verdict, payload, mark, batch, null);
    }

    private void apply(Packet p, int verdict, String payload, Integer mark, boolean batch, Long connmark) {
        timeline.add(new Event(p.id, verdict, payload, mark, batch, connmark));
        if (verdict == 4) { // NF_REPEAT: through the hook again, queued again under a new id
            Packet again = queue(payload != null ? ByteBufUtil.decodeHexDump(payload) : p.bytes);
            again.mark = mark != null ? mark : p.mark;
        }
    }

    /** The kernel answers a verdict it cannot apply with an error message (ENOENT) on the socket. */
    private void refuse(long id, String why) {
        refused.add(why);
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(36).putShort((short) 2).putShort((short) 0).putInt(0).putInt(0); // NLMSG_ERROR
        b.putInt(-Errno.ENOENT);
        b.putInt(20)
                .putShort((short) VERDICT_TYPE)
                .putShort((short) 1)
                .putInt((int) id)
                .putInt(0);
        out.add(b.array());
        setReadable(true);
    }

    @Override
    public synchronized long sendRaw(int fd, long buffer, int length, long address, int addressLength) {
        if (fd != raw4Fd && fd != raw6Fd) {
            throw new AssertionError("sendto on " + fd + ", not a raw socket");
        }
        Integer e = rawErrors.poll();
        if (e != null && e != 0) {
            return fail(e);
        }
        byte[] bytes = new byte[length];
        new Pointer(buffer).read(0, bytes, 0, length);
        timeline.add(new Event(-1, -1, ByteBufUtil.hexDump(bytes), null, false));
        return length;
    }

    @Override
    public synchronized int errno() {
        return errno;
    }

    @Override
    public synchronized int sendBufferSize() {
        return sendBufferSize;
    }

    @Override
    public synchronized void close(int fd) {
        closed.add(fd);
    }

    /** Closes the eventfds; call after the channel has closed. */
    void release() {
        Native.Posix.close(netlinkFd);
        Native.Posix.close(raw4Fd);
        Native.Posix.close(raw6Fd);
    }

    private int fail(int e) {
        errno = e;
        return -1;
    }

    private void setReadable(boolean on) {
        if (on == readable) {
            return;
        }
        readable = on;
        if (on) {
            counter.setLong(0, 1);
            Native.Posix.write(netlinkFd, Pointer.nativeValue(counter), 8);
        } else {
            Native.Posix.read(netlinkFd, Pointer.nativeValue(counter), 8);
        }
    }
}
