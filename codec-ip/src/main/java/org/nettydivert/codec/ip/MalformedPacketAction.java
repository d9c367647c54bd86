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

/** What {@link IpPacketDecoder} does with a datagram it cannot parse. Every case is counted. */
public enum MalformedPacketAction {
    /** Pass the original {@code DivertPacket} on, unparsed, so that a later handler can still write it back. */
    PASS_RAW,
    /** Release it: on Linux the kernel then drops it, elsewhere it is gone. */
    DROP,
    /** Release it and fire a {@link MalformedPacketEvent} with the reason down the pipeline. */
    REPORT
}
