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
/**
 * IP on top of the divert transport: zero-copy header views ({@link org.nettydivert.codec.ip.Ipv4Header},
 * {@link org.nettydivert.codec.ip.Ipv6Header}, {@link org.nettydivert.codec.ip.TcpHeader}, ...),
 * checksums, the {@link org.nettydivert.codec.ip.IpPacketCodec} that turns divert packets into
 * {@link org.nettydivert.codec.ip.IpPacket}s and back, fragment reassembly, and pcap/pcapng
 * reading, writing and offline replay.
 */
package org.nettydivert.codec.ip;
