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
package org.nettydivert.testing;

/** Reference checksums for tests, computed byte by byte: what the code under test must agree with. */
public final class Checksums {
    private Checksums() {}

    /**
     * The complete UDP checksum of an IPv4 packet with a 20-byte header, over the pseudo-header
     * and the datagram, whatever its checksum field holds now.
     */
    public static int udp4(byte[] packet) {
        long sum = 17 + (packet.length - 20);
        for (int i = 12; i < 20; i += 2) {
            sum += (packet[i] & 0xFF) << 8 | packet[i + 1] & 0xFF;
        }
        for (int i = 20; i < packet.length; i += 2) {
            if (i == 26) {
                continue; // the checksum field counts as zero
            }
            sum += (packet[i] & 0xFF) << 8 | (i + 1 < packet.length ? packet[i + 1] & 0xFF : 0);
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int checksum = (int) (~sum & 0xFFFF);
        return checksum == 0 ? 0xFFFF : checksum; // 0 means "no checksum" in UDP
    }
}
