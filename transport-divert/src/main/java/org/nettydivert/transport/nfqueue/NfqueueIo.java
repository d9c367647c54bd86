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

/**
 * The system calls an open NFQUEUE channel makes: receiving and sending netlink messages, and
 * sending injected packets through its raw sockets. {@link NativeNfqueueIo} makes them; tests
 * put a stand-in kernel here ({@code FakeNfqueueKernel}), so that everything above, the parser
 * and the verdict bookkeeping, runs without root. Calls return as libc does: -1 and {@link
 * #errno()} on failure. Event loop thread only.
 */
public interface NfqueueIo {
    /** The netlink socket: the descriptor packets are read from and verdicts sent through. */
    int netlinkFd();

    /** {@code recvmmsg(netlinkFd, msgvec, vlen, MSG_DONTWAIT)}: messages received, or -1. */
    int receive(long msgvec, int vlen);

    /** {@code sendmsg(netlinkFd, msghdr, MSG_DONTWAIT)}: bytes sent, or -1. */
    long send(long msghdr);

    /** {@code sendto(fd, ..., MSG_DONTWAIT)} on the raw socket {@code fd}: bytes sent, or -1. */
    long sendRaw(int fd, long buffer, int length, long address, int addressLength);

    /** errno of the last failed call. */
    int errno();

    /** The netlink socket's send buffer in bytes: a batch of verdicts must fit in one datagram. */
    int sendBufferSize();

    /** Closes {@code fd}, one of the descriptors this I/O gave out. */
    void close(int fd);
}
