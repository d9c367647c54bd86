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
import java.util.HashMap;
import java.util.Map;

/**
 * The interfaces as the backends need them, cached for a second (interfaces come and go and get
 * renamed): by index, for the name and address of the device NFQUEUE names by index; by name,
 * for an address of the family a packet needs (OpenBSD takes an inbound packet's interface by
 * address only). Synchronized: the event loop asks for every packet, and a packet's metadata
 * names its devices when asked, on whatever thread reads it.
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

    /** The namespace the devices are in, when not the calling thread's; null otherwise. */
    private final NetNamespace namespace;

    private final IntObjectMap<Interface> interfaces = new IntObjectHashMap<>();
    private final Map<String, InetAddress[]> byName = new HashMap<>();
    private long fetched = System.nanoTime() - CACHE_NANOS - 1;

    /** The interfaces of the calling thread's network namespace. */
    public InterfaceNames() {
        this(null);
    }

    /**
     * The interfaces of {@code namespace}, or of the calling thread's namespace if null. The JDK asks
     * the namespace of the calling thread, so a lookup there runs on a thread that enters
     * {@code namespace} (at most once a second per device, as the cache expires).
     */
    public InterfaceNames(NetNamespace namespace) {
        this.namespace = namespace;
    }

    /** Forgets everything after a second. */
    private void expire(long nanos) {
        if (nanos - fetched > CACHE_NANOS) {
            interfaces.clear();
            byName.clear();
            fetched = nanos;
        }
    }

    /** The interface with index {@code index} at {@code nanos}, or null for index 0 (none). */
    public synchronized Interface lookup(int index, long nanos) {
        if (index <= 0) {
            return null;
        }
        expire(nanos);
        Interface iface = interfaces.get(index);
        if (iface == null) {
            iface = namespace == null ? fetch(index) : inNamespace(() -> fetch(index), NONE);
            interfaces.put(index, iface);
        }
        return iface;
    }

    /** An address of family IPv{@code version} of the interface named {@code name}, or null. */
    public synchronized InetAddress addressOf(String name, int version) {
        expire(System.nanoTime());
        InetAddress[] both = byName.computeIfAbsent(
                name, n -> namespace == null ? addresses(n) : inNamespace(() -> addresses(n), new InetAddress[2]));
        return both[version == 4 ? 0 : 1];
    }

    /** What {@code lookup} finds inside the namespace, or {@code otherwise} if it cannot be entered (closed). */
    private <T> T inNamespace(java.util.concurrent.Callable<T> lookup, T otherwise) {
        try {
            return namespace.call(lookup);
        } catch (java.io.IOException | RuntimeException e) {
            return otherwise;
        }
    }

    /** The first IPv4 and the first IPv6 address of the interface named {@code name}. */
    private static InetAddress[] addresses(String name) {
        InetAddress[] both = new InetAddress[2];
        try {
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif != null) {
                for (Enumeration<InetAddress> e = nif.getInetAddresses(); e.hasMoreElements(); ) {
                    InetAddress a = e.nextElement();
                    int slot = a instanceof Inet4Address ? 0 : 1;
                    if (both[slot] == null) {
                        both[slot] = a;
                    }
                }
            }
        } catch (SocketException e) {
            // As if it had no address: the write then says no interface has one.
        }
        return both;
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
