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
 * What a datagram's checksums are: right, partial (offloaded, as Linux leaves them), or wrong.
 *
 * <p>A Linux host that offloads checksums (every veth and loopback device, most NICs) hands TCP
 * and UDP packets it sends to the device as {@code CHECKSUM_PARTIAL}: the checksum field holds
 * only the pseudo-header sum, folded and not complemented ({@code ~csum_tcpudp_magic(saddr,
 * daddr, len, proto, 0)} in {@code __tcp_v4_send_check}, {@code udp4_hwcsum} and their IPv6
 * twins), and the device (or the receiving stack, on veth and loopback) adds the data later. A
 * capture taken on such a device, and NFQUEUE with {@code NFQA_CFG_F_GSO}, see that value. It is
 * recognisable: the field equals the pseudo-header sum of the datagram it is in. A corrupt
 * checksum that happens to equal it (one chance in 65535) is taken for partial.
 */
public enum ChecksumStatus {
    /** Every checksum there is verifies (or none can be checked: a fragment, a UDP/IPv4 checksum of 0). */
    GOOD,
    /**
     * The IPv4 header checksum (if any) verifies, and the TCP or UDP checksum field holds the
     * pseudo-header sum alone: an offloaded packet that its sender had not finished.
     */
    PARTIAL,
    /** A checksum is wrong: the IPv4 header's, or the upper layer's, neither right nor partial. */
    BAD;

    /** The status of {@code packet}'s checksums; reads only. */
    public static ChecksumStatus of(IpPacket packet) {
        if (packet.isIpv4() && !packet.ipv4().verifyChecksum()) {
            return BAD;
        }
        TransportHeader header = packet.transportHeader();
        // A fragment's transport checksum covers bytes in other fragments: nothing to check.
        if (header == null || packet.isFragment()) {
            return GOOD;
        }
        int protocol = packet.protocol();
        boolean transport = protocol == IpProtocol.TCP || protocol == IpProtocol.UDP;
        if (protocol == IpProtocol.UDP && header.checksum() == 0) {
            // "No checksum" is allowed over IPv4 only; over IPv6 the checksum is mandatory.
            return packet.isIpv4() ? GOOD : BAD;
        }
        int pseudoHeaderSum = packet.pseudoHeaderSum();
        if (header.verifyChecksum(pseudoHeaderSum, packet.transportLength())) {
            return GOOD;
        }
        // ICMP and ICMPv6 checksums are always computed in software: only TCP and UDP are offloaded.
        return transport && isPseudoHeaderSum(header.checksum(), pseudoHeaderSum) ? PARTIAL : BAD;
    }

    /** Whether {@code field} is {@code sum}, 0 and 0xFFFF being the same one's complement number. */
    private static boolean isPseudoHeaderSum(int field, int sum) {
        return field == sum || (field == 0 || field == 0xFFFF) && (sum == 0 || sum == 0xFFFF);
    }
}
