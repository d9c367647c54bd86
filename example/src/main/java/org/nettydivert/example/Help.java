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
package org.nettydivert.example;

/** Each command's {@code --help}. */
final class Help {
    private Help() {}

    static boolean exists(String command) {
        return !of(command).startsWith("unknown");
    }

    static String of(String command) {
        switch (command) {
            case "dump":
                return String.join(
                        "\n",
                        "usage: dump --port N [--count K] [--hex] [--write FILE [--format pcap|pcapng]]",
                        "Prints each packet diverted to port N (direction, interface, src:sport -> dst:dport,",
                        "protocol, length; on Linux also the hook, in and out devices, the owner as uid N gid N",
                        "and the conntrack state as the kernel names it, such as IP_CT_NEW, where known)",
                        "and reinjects it unchanged. --hex adds the first 40 bytes in hex;",
                        "--count exits after K packets. --write also saves each diverted datagram, as",
                        "tcpdump -w does: pcapng if FILE ends in .pcapng, classic pcap otherwise, unless",
                        "--format says; raw IP link type, readable by Wireshark, tcpdump and replay.");
            case "passthrough":
                return String.join(
                        "\n",
                        "usage: passthrough --port N [--stats]",
                        "Reinjects every packet diverted to port N as fast as it can. --stats prints packets",
                        "per second once a second; the totals are printed on exit (Ctrl-C, SIGTERM).");
            case "rewrite-port":
                return String.join(
                        "\n",
                        "usage: rewrite-port --port N --from A --to B",
                        "A TCP/UDP port forwarder: outbound packets to port A go to port B, inbound packets",
                        "from port B come back from port A; checksums are updated incrementally.");
            case "drop":
                return String.join(
                        "\n",
                        "usage: drop --port N --proto tcp|udp|icmp [--dst-port P] [--src CIDR]",
                        "Drops the diverted packets that match (protocol, destination port, source range)",
                        "and reinjects the rest, counting both.");
            case "replay":
                return String.join(
                        "\n",
                        "usage: replay --in IN --out OUT [--format pcap|pcapng] [--local CIDR]",
                        "              [--checksums strict|partial] [--complete-checksums] rewrite-port|drop OPTIONS",
                        "Runs the rewrite-port or drop pipeline over a capture instead of a kernel (no root).",
                        "IN is pcap or pcapng (told apart by content). Packets from --local addresses are",
                        "outbound, the others inbound (without --local all are outbound). What the pipeline",
                        "writes goes to OUT, pcapng if its name ends in .pcapng, else pcap, unless --format",
                        "says; drops are counted. The pipeline runs on the capture's clock: its timers fire",
                        "as the capture's time passes, and output records carry the time they were written.",
                        "--checksums drops (and counts) datagrams whose checksums are wrong: strict takes",
                        "only complete ones, partial also the offloaded TCP/UDP checksums (the pseudo-header",
                        "sum alone) of captures taken on veth or loopback or of a host's own packets.",
                        "Without it checksums are not checked. --complete-checksums first completes the",
                        "offloaded checksums, as the live channel does, so that rewrites keep them right.",
                        "OUT is replaced only once the replay succeeds, and cannot be IN.",
                        "Example: replay --in in.pcap --out out.pcap drop --proto udp --dst-port 53");
            case "traffic":
                return String.join(
                        "\n",
                        "usage: traffic --port P",
                        "The demo's traffic: three UDP datagrams and one TCP exchange on 127.0.0.1:P.");
            default:
                return "unknown command '" + command + "'\n" + Main.USAGE;
        }
    }
}
