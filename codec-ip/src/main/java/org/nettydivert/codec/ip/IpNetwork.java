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
package org.nettydivert.codec.ip;

import io.netty.buffer.ByteBuf;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An address range in CIDR notation, IPv4 or IPv6: {@code 10.0.0.0/8}, {@code 2001:db8::/32}; a
 * bare address is a /32 or /128. Immutable. The one parser behind {@link
 * DirectionRule#outboundFrom(String...)} and the example's {@code --src} and {@code --local}.
 */
public final class IpNetwork {
    private final byte[] network;
    private final int prefixLength;

    private IpNetwork(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code text}. Address literals only: a host name here would mean a DNS lookup, and
     * possibly a wrong answer. The message of the exception names {@code text} and what is wrong
     * with it, so that a command line can print it after the option's name.
     *
     * @throws IllegalArgumentException when {@code text} is no address literal or its prefix
     *     length is not a number from 0 to the address's bits
     */
    public static IpNetwork parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address literal: '" + text + "' (expected e.g. 10.0.0.0/8)");
        }
        int bits = address.length * 8;
        int length = bits;
        if (slash >= 0) {
            String digits = text.substring(slash + 1);
            // Digits only: parseInt would take "+8".
            length = digits.matches("[0-9]{1,3}") ? Integer.parseInt(digits) : -1;
        }
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "': 0.." + bits);
        }
        return new IpNetwork(address, length);
    }

    /** The prefix length, 0 to 32 (IPv4) or 128 (IPv6). */
    public int prefixLength() {
        return prefixLength;
    }

    /** 4 for an IPv4 network, 16 for IPv6. */
    public int addressSize() {
        return network.length;
    }

    /** Whether {@code address} is in this network; an address of the other family never is. */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        int whole = prefixLength >>> 3;
        for (int i = 0; i < whole; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        return lastBitsMatch(whole < bytes.length ? bytes[whole] : 0, whole);
    }

    /**
     * Whether the address of {@link #addressSize()} bytes at {@code index} in {@code buf} is in
     * this network, read in place (no copy, no allocation); the indexes do not move.
     */
    public boolean contains(ByteBuf buf, int index) {
        int whole = prefixLength >>> 3;
        for (int i = 0; i < whole; i++) {
            if (buf.getByte(index + i) != network[i]) {
                return false;
            }
        }
        return lastBitsMatch(whole < network.length ? buf.getByte(index + whole) : 0, whole);
    }

    private boolean lastBitsMatch(byte b, int whole) {
        int rest = prefixLength & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (b & mask) == (network[whole] & mask);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpNetwork
                && ((IpNetwork) o).prefixLength == prefixLength
                && Arrays.equals(((IpNetwork) o).network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    /** {@code address/prefixLength}, the address as parsed (bits past the prefix included). */
    @Override
    public String toString() {
        return NetUtil.bytesToIpAddress(network) + "/" + prefixLength;
    }
}
