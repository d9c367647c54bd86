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
package org.nettydivert.transport.bsd;

import com.sun.jna.Pointer;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nettydivert.transport.unix.Errno;

/**
 * A stand-in for a BSD kernel behind {@link BsdDivertSocket.Syscalls}: it answers socket,
 * setsockopt and bind as scripted, and reads and writes the {@code struct mmsghdr} arrays it is
 * given at the BSD offsets of {@code docs/ABI.md#bsd-message-headers} (msghdr 48 bytes: name @0, namelen
 * @8, iov @16, iovlen @24, flags @44; mmsghdr 56 with msg_len @48; iovec 16), as libc's
 * recvmmsg and sendmmsg loops do: a later message's error ends the call with the count so far,
 * and is reported by the next call.
 */
public final class FakeBsdKernel implements BsdDivertSocket.Syscalls {
    static final int MMSGHDR = 56;

    /** A call as the socket made it, for assertions. */
    static final class Call {
        final String name;
        final int fd;
        final int[] args;
        final String bytes;

        Call(String name, int fd, String bytes, int... args) {
            this.name = name;
            this.fd = fd;
            this.args = args;
            this.bytes = bytes;
        }

        @Override
        public String toString() {
            return name + "(" + fd + ", " + java.util.Arrays.toString(args) + ", " + bytes + ")";
        }
    }

    /** A datagram waiting to be read: socket address bytes and packet bytes, in hex. */
    static final class Datagram {
        final String sockaddr;
        final String packet;

        Datagram(String sockaddr, String packet) {
            this.sockaddr = sockaddr.replace(" ", "");
            this.packet = packet.replace(" ", "");
        }
    }

    /** What sendmmsg was given for one message: the descriptor, the socket address and the packet, in hex. */
    public static final class Sent {
        public final int fd;
        public final String sockaddr;
        public final String packet;

        Sent(int fd, String sockaddr, String packet) {
            this.fd = fd;
            this.sockaddr = sockaddr;
            this.packet = packet;
        }
    }

    final List<Call> calls = new ArrayList<>();
    public final List<Integer> closed = new ArrayList<>();
    public final List<Sent> sent = new ArrayList<>();
    final List<Integer> sendCalls = new ArrayList<>();
    /** Results of socket() in turn: a descriptor, or minus an errno. */
    public final Deque<Integer> socketResults = new ArrayDeque<>();
    /** errno for setsockopt of an option name; absent: success. */
    final Map<Integer, Integer> setsockoptErrors = new HashMap<>();
    /** errno for bind(); 0: success. */
    int bindError;
    /**
     * family and port ("2:8668") of each bound descriptor: a second bind of one is refused with
     * EADDRINUSE, as FreeBSD 14+'s div_bind and OpenBSD's in_pcbbind do.
     */
    private final Map<Integer, String> bound = new HashMap<>();
    /** errno for the next messages sendmmsg is given, in turn; 0 or an empty queue: accepted. */
    final Deque<Integer> sendErrors = new ArrayDeque<>();
    /** errno for recvmmsg when nothing is waiting. */
    int recvError = Errno.EAGAIN;

    public final Map<Integer, Deque<Datagram>> waiting = new HashMap<>();
    private int errno;

    public void deliver(int fd, String sockaddr, String packet) {
        waiting.computeIfAbsent(fd, k -> new ArrayDeque<>()).add(new Datagram(sockaddr, packet));
    }

    List<Call> calls(String name) {
        List<Call> matching = new ArrayList<>();
        for (Call call : calls) {
            if (call.name.equals(name)) {
                matching.add(call);
            }
        }
        return matching;
    }

    private int fail(int e) {
        errno = e;
        return -1;
    }

    // JNA reads and writes raw addresses without the JVM flags Netty's wrappers would need.
    private static Pointer at(long address) {
        return new Pointer(address);
    }

    private static String hex(long address, int size) {
        byte[] bytes = new byte[size];
        at(address).read(0, bytes, 0, size);
        return ByteBufUtil.hexDump(bytes);
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        calls.add(new Call("socket", -1, null, domain, type, protocol));
        int result = socketResults.isEmpty() ? 100 + calls.size() : socketResults.poll();
        return result >= 0 ? result : fail(-result);
    }

    @Override
    public int setsockopt(int fd, int level, int name, long value, int length) {
        int intValue = at(value).getInt(0);
        calls.add(new Call("setsockopt", fd, null, level, name, intValue, length));
        Integer e = setsockoptErrors.get(name);
        return e == null ? 0 : fail(e);
    }

    @Override
    public int bind(int fd, long address, int length) {
        calls.add(new Call("bind", fd, hex(address, length), length));
        if (bindError != 0) {
            return fail(bindError);
        }
        Pointer sockaddr = at(address);
        String key =
                (sockaddr.getByte(1) & 0xFF) + ":" + ((sockaddr.getByte(2) & 0xFF) << 8 | sockaddr.getByte(3) & 0xFF);
        if (bound.containsValue(key)) {
            return fail(Errno.EADDRINUSE);
        }
        bound.put(fd, key);
        return 0;
    }

    @Override
    public int recvmmsg(int fd, long msgvec, int vlen) {
        calls.add(new Call("recvmmsg", fd, null, vlen));
        Deque<Datagram> queue = waiting.getOrDefault(fd, new ArrayDeque<>());
        if (queue.isEmpty()) {
            return fail(recvError);
        }
        Pointer headers = at(msgvec);
        int n = 0;
        while (n < vlen && !queue.isEmpty()) {
            Datagram d = queue.poll();
            long h = (long) n * MMSGHDR;
            long name = headers.getLong(h);
            int nameRoom = headers.getInt(h + 8);
            long iov = headers.getLong(h + 16);
            int iovlen = headers.getInt(h + 24);
            if (iovlen != 1) {
                throw new AssertionError("one iovec per datagram expected, got " + iovlen);
            }
            long base = at(iov).getLong(0);
            int room = (int) at(iov).getLong(8);
            byte[] packet = ByteBufUtil.decodeHexDump(d.packet);
            byte[] sockaddr = ByteBufUtil.decodeHexDump(d.sockaddr);
            int copied = Math.min(packet.length, room);
            at(base).write(0, packet, 0, copied);
            at(name).write(0, sockaddr, 0, Math.min(sockaddr.length, nameRoom));
            headers.setInt(h + 8, sockaddr.length);
            headers.setInt(h + 44, packet.length > room ? BsdDivertSocket.MSG_TRUNC : 0);
            headers.setLong(h + 48, copied);
            n++;
        }
        return n;
    }

    @Override
    public int sendmmsg(int fd, long msgvec, int vlen) {
        sendCalls.add(fd);
        Pointer headers = at(msgvec);
        for (int i = 0; i < vlen; i++) {
            Integer e = sendErrors.peek();
            if (e != null && e != 0) {
                if (i > 0) {
                    return i; // reported by the next call
                }
                sendErrors.poll();
                return fail(e);
            }
            sendErrors.poll();
            long h = (long) i * MMSGHDR;
            long name = headers.getLong(h);
            int nameLength = headers.getInt(h + 8);
            long iov = headers.getLong(h + 16);
            int iovlen = headers.getInt(h + 24);
            StringBuilder packet = new StringBuilder();
            for (int v = 0; v < iovlen; v++) {
                Pointer vec = at(iov + 16L * v);
                packet.append(hex(vec.getLong(0), (int) vec.getLong(8)));
            }
            sent.add(new Sent(fd, hex(name, nameLength), packet.toString()));
            headers.setLong(h + 48, packet.length() / 2);
        }
        return vlen;
    }

    @Override
    public int close(int fd) {
        closed.add(fd);
        bound.remove(fd);
        return 0;
    }

    @Override
    public int errno() {
        return errno;
    }
}
