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

import java.io.IOException;
import org.nettydivert.transport.bsd.BsdDivertSocket;
import org.nettydivert.transport.bsd.KeventLayout;
import org.nettydivert.transport.bsd.KqueuePoller;
import org.nettydivert.transport.nfqueue.EpollPoller;
import org.nettydivert.transport.nfqueue.NfqueueSocket;
import org.nettydivert.transport.spi.DivertSocket;
import org.nettydivert.transport.spi.Poller;
import org.nettydivert.transport.spi.SocketContext;
import org.nettydivert.transport.unix.Os;

/** Which backend this system has: the one place that chooses between NFQUEUE and divert sockets. */
final class Backends {
    private Backends() {}

    /** Opens and binds the divert socket of this system for {@code address}. */
    static DivertSocket openSocket(SocketContext context, DivertAddress address) throws IOException {
        switch (Os.CURRENT) {
            case LINUX:
                return NfqueueSocket.open(context, address);
            case FREEBSD:
            case OPENBSD:
                return BsdDivertSocket.open(context, address);
            default:
                throw new UnsupportedOperationException(
                        Os.unsupportedCause() != null
                                ? Os.unsupportedCause()
                                : "no divert sockets on " + System.getProperty("os.name"));
        }
    }

    /** The poller of this system: epoll on Linux, kqueue on the BSDs. */
    static Poller openPoller() throws IOException {
        switch (Os.CURRENT) {
            case LINUX:
                return new EpollPoller();
            case FREEBSD:
            case OPENBSD:
                return new KqueuePoller(KeventLayout.current());
            default:
                throw new UnsupportedOperationException(Os.unsupportedCause());
        }
    }
}
