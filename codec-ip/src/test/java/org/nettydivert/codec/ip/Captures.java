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

import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The checked-in loopback captures (see src/test/resources/captures/README.md). */
final class Captures {
    static final String ETHERNET = "lo-ether.pcap";
    static final String ETHERNET_NANOS = "lo-nano.pcap";
    static final String SLL = "any-sll.pcap";
    static final String SLL2 = "any-sll2.pcap";
    /** A veth device between two namespaces: every TCP and UDP checksum is partial. */
    static final String VETH = "veth.pcap";
    /** {@link #ETHERNET} converted by tshark. */
    static final String ETHERNET_PCAPNG = "lo-ether.pcapng";
    /** {@link #ETHERNET_NANOS} and {@link #SLL2} merged by mergecap: two interfaces. */
    static final String MERGED_PCAPNG = "merged.pcapng";

    private Captures() {}

    static Path path(String name) {
        try {
            return Path.of(Captures.class.getResource("/captures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static InputStream open(String name) {
        return Captures.class.getResourceAsStream("/captures/" + name);
    }

    /** The IP datagrams of a capture, as byte arrays. */
    static List<byte[]> datagrams(String name) {
        return datagramsOf(path(name));
    }

    /** The IP datagrams of a pcap file, as byte arrays. */
    static List<byte[]> datagramsOf(Path file) {
        List<byte[]> out = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(file)) {
            PcapRecord r;
            while ((r = reader.next()) != null) {
                out.add(ByteBufUtil.getBytes(r.content()));
                r.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
