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

import org.nettydivert.transport.DivertAddress;
import org.nettydivert.transport.unix.Errno;

/**
 * What a failed system call of the BSD backend means and what to do about it, in words a user
 * can act on. {@link org.nettydivert.transport.unix.Errors} puts these after the call and the
 * errno in the exception's message.
 */
final class BsdHints {
    private BsdHints() {}

    /** Whether {@code errno} from socket() means the kernel has no divert protocol (in that form). */
    static boolean isNoDivert(int errno) {
        return errno == Errno.EPROTONOSUPPORT || errno == Errno.EAFNOSUPPORT || errno == Errno.EPFNOSUPPORT;
    }

    /** What to do about a socket() or bind() failure, or {@code null} where we know nothing better. */
    static String socketHint(BsdAbi abi, int errno, int port) {
        if (errno == Errno.EPERM || errno == Errno.EACCES) {
            return "divert sockets need root";
        }
        if (isNoDivert(errno)) {
            // FreeBSD 13 as root and a jail without VNET both answer EPROTONOSUPPORT, and
            // kldload cannot help inside such a jail: name both.
            return abi == BsdAbi.FREEBSD
                    ? "no divert sockets here: load the module on the host (kldload ipdivert), and in a"
                            + " jail, use a VNET jail (a jail without VNET has no divert sockets)"
                    : "pf divert not available in this kernel";
        }
        if (errno == Errno.EADDRINUSE) {
            return "divert port " + port + " is in use by another socket or channel (natd, another program,"
                    + " or a channel of this one): the kernel gives a divert port to one socket, so bind one"
                    + " channel per divert port";
        }
        return null;
    }

    /**
     * Why {@code DivertChannelOption.REUSEPORT_LB} cannot be honoured. No released FreeBSD balances a divert
     * port over sockets ({@code docs/ABI.md#bsd-socket-options}); OpenBSD has no such option.
     */
    static String reusePortLbHint(BsdAbi abi) {
        String why = abi == BsdAbi.FREEBSD
                ? "no released FreeBSD shares a divert port between sockets with SO_REUSEPORT_LB (14 and 15"
                        + " refuse the second bind with EADDRINUSE; 13 binds both but gives every packet to the"
                        + " first)"
                : abi + " has no SO_REUSEPORT_LB";
        return "DivertChannelOption.REUSEPORT_LB is not supported: " + why
                + ". Bind one channel per divert port, and spread"
                + " the load with several divert rules or ports (e.g. two rules that divert to ports 8668 and"
                + " 8669 by source address), one channel each";
    }

    static String bufferHint(BsdAbi abi, int errno, int bytes) {
        if (errno == Errno.ENOBUFS || errno == Errno.EINVAL) {
            return bytes + " bytes is more than the kernel allows a socket buffer: raise "
                    + (abi == BsdAbi.FREEBSD ? "kern.ipc.maxsockbuf" : "kern.maxsockbuf (sb_max)")
                    + " or ask for less";
        }
        return null;
    }

    /** What a refused write means, or {@code null} where the errno says enough. */
    static String writeHint(BsdAbi abi, int errno, DivertAddress address) {
        if (errno == Errno.EINVAL) {
            return abi == BsdAbi.OPENBSD
                    ? "the kernel refused the packet: a header it cannot use (OpenBSD wants an IPv4 total"
                            + " length equal to the bytes written and sound IP options, and a transport header"
                            + " as long as its protocol needs)"
                    : "the kernel refused the packet: a header it cannot use (too short, or a length beyond the"
                            + " data)";
        }
        if (errno == Errno.EADDRNOTAVAIL && address.isInbound()) {
            if (address.interfaceName() != null) {
                return "no interface named " + address.interfaceName() + " to take the packet in on";
            }
            if (address.interfaceAddress() != null) {
                return "no local interface has the address "
                        + address.interfaceAddress().getHostAddress();
            }
        }
        if (errno == Errno.ENOBUFS) {
            return "the kernel had no buffer for the packet; it was dropped";
        }
        if (errno == Errno.EMSGSIZE) {
            return "the packet is larger than the kernel sends (its interface's MTU, or IP_MAXPACKET)";
        }
        if (errno == Errno.EAFNOSUPPORT && abi == BsdAbi.FREEBSD) {
            return "the packet is neither IPv4 nor IPv6";
        }
        if (errno == Errno.EHOSTUNREACH || errno == Errno.ENETUNREACH) {
            return "no route to the packet's destination, or the firewall refused it";
        }
        if (errno == Errno.ENETDOWN) {
            return "the interface is down";
        }
        return null;
    }
}
