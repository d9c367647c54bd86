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

import java.nio.file.Path;
import java.util.Locale;

/** The capture file formats {@link PcapReader} reads and {@link PcapWriter} writes. */
public enum PcapFormat {
    /** Classic libpcap: one link type and one timestamp resolution for the whole file. */
    PCAP,
    /** pcapng: blocks, several interfaces, each with its link type and timestamp resolution. */
    PCAPNG;

    /**
     * The format a file name asks for, as Wireshark's tools see it: {@code .pcapng} (and the old
     * {@code .ntar}) is pcapng, anything else classic pcap.
     */
    public static PcapFormat forFileName(Path file) {
        Path name = file.getFileName();
        String s = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        return s.endsWith(".pcapng") || s.endsWith(".ntar") ? PCAPNG : PCAP;
    }
}
