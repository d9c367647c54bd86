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

/**
 * The transport header of a datagram: the header after the IP header and its extensions (TCP, UDP,
 * ICMP, ICMPv6, GRE), whose checksum, if it has one, covers the whole transport packet: header and
 * payload. codec-ip calls this layer the transport layer throughout, whatever the protocol.
 *
 * <p>How the checksum is computed is the protocol's: TCP, UDP and ICMPv6 also cover a
 * pseudo-header made of the IP addresses, the protocol and the transport length (pass its sum from
 * {@link Ipv4Header#pseudoHeaderSum(int, int)} or {@link Ipv6Header#pseudoHeaderSum(int, int)}, or
 * use {@link IpPacket#pseudoHeaderSum()}, which knows which protocols have one); ICMPv4 and GRE
 * have none: pass 0.
 *
 * <p>Views of this type are made by codec-ip's protocol table, one per protocol number; they can
 * be subclassed in this package only.
 */
public abstract class TransportHeader extends HeaderView {
    private final int checksumFieldOffset;
    private final int minLength;

    TransportHeader(int checksumFieldOffset, int minLength) {
        this.checksumFieldOffset = checksumFieldOffset;
        this.minLength = minLength;
    }

    /** The smallest length this header can have. */
    public final int minLength() {
        return minLength;
    }

    /** The header length in bytes, options included. */
    public abstract int headerLength();

    /** The checksum field. */
    public final int checksum() {
        return buf.getUnsignedShort(offset + checksumFieldOffset);
    }

    /** Sets the checksum field. */
    public final void setChecksum(int checksum) {
        buf.setShort(offset + checksumFieldOffset, checksum);
    }

    /**
     * Whether this header has a checksum field at all; GRE has one only when its C bit is set. Without
     * one, verifying passes and updating and adjusting do nothing.
     */
    boolean hasChecksumField() {
        return true;
    }

    /**
     * Whether the checksum over {@code length} bytes from the start of this header, plus the
     * pseudo-header sum, is right.
     */
    public boolean verifyChecksum(int pseudoHeaderSum, int length) {
        return !hasChecksumField()
                || InternetChecksum.verifies(
                        InternetChecksum.add(InternetChecksum.sum(buf, offset, length), pseudoHeaderSum));
    }

    /**
     * Computes the checksum over {@code length} bytes from the start of this header and stores
     * it, if it differs from the one there (so that an unchanged packet stays untouched).
     */
    public void updateChecksum(int pseudoHeaderSum, int length) {
        if (!hasChecksumField()) {
            return;
        }
        int computed = storedForm(
                InternetChecksum.checksum(buf, offset, length, offset + checksumFieldOffset, pseudoHeaderSum));
        if (computed != checksum()) {
            setChecksum(computed);
        }
    }

    /** How a computed checksum is written into the field. */
    int storedForm(int computed) {
        return computed;
    }

    /**
     * Adjusts the checksum (RFC 1624) for words elsewhere, usually in the pseudo-header, that changed
     * from summing to {@code oldSum} to summing to {@code newSum}.
     */
    public void adjustChecksum(int oldSum, int newSum) {
        if (hasChecksumField()) {
            setChecksum(InternetChecksum.adjust(checksum(), oldSum, newSum));
        }
    }

    /** Adjusts the checksum for an IPv4 address in the pseudo-header changing from {@code oldAddress} to {@code newAddress}. */
    public final void adjustChecksumForAddress(int oldAddress, int newAddress) {
        adjustChecksum(InternetChecksum.sum32(oldAddress), InternetChecksum.sum32(newAddress));
    }

    final void setWordUpdatingChecksum(int fieldOffset, int value) {
        int old = buf.getUnsignedShort(offset + fieldOffset);
        buf.setShort(offset + fieldOffset, value);
        adjustChecksum(old, value & 0xFFFF);
    }

    final void setIntUpdatingChecksum(int fieldOffset, int value) {
        int old = buf.getInt(offset + fieldOffset);
        buf.setInt(offset + fieldOffset, value);
        adjustChecksum(InternetChecksum.sum32(old), InternetChecksum.sum32(value));
    }
}
