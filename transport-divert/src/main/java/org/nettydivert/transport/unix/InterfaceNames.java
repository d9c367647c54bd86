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

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;

/**
 * Interface index to name and address, cached for a second: the kernel names a packet's device
 * by index, the pipeline wants its name. Nothing in it is NFQUEUE's, so the BSD backend can
 * share it. Event loop thread only.
 */
public final class InterfaceNames {
    private static final long CACHE_NANOS = 1_000_000_000L;

    /** What the cache knows of one interface; both fields null when the index names none. */
    public static final class Interface {
        public final String name;
        public final InetAddress address;

        Interface(String name, InetAddress address) {
            this.name = name;
            this.address = address;
        }
    }

    private static final Interface NONE = new Interface(null, null);

    private final IntObjectMap<Interface> interfaces = new IntObjectHashMap<>();
    private long fetched;

    /** The interface with index {@code index} at {@code nanos}, or null for index 0 (none). */
    public Interface lookup(int index, long nanos) {
        if (index <= 0) {
            return null;
        }
        if (nanos - fetched > CACHE_NANOS) {
            // Interfaces come and go and get renamed: trust the cache for a second at most.
            interfaces.clear();
            fetched = nanos;
        }
        Interface iface = interfaces.get(index);
        if (iface == null) {
            iface = fetch(index);
            interfaces.put(index, iface);
        }
        return iface;
    }

    /** The name and first address (IPv4 preferred) of interface {@code index}. */
    private static Interface fetch(int index) {
        try {
            NetworkInterface nif = NetworkInterface.getByIndex(index);
            if (nif == null) {
                return NONE;
            }
            InetAddress first = null;
            for (Enumeration<InetAddress> e = nif.getInetAddresses(); e.hasMoreElements(); ) {
                InetAddress a = e.nextElement();
                if (a instanceof Inet4Address) {
                    first = a;
                    break;
                }
                if (first == null) {
                    first = a;
                }
            }
            return new Interface(nif.getName(), first);
        } catch (SocketException e) {
            return NONE;
        }
    }
}
