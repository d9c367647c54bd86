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
package org.nettydivert.transport.spi;

import org.nettydivert.transport.PacketMetadata;

/**
 * Metadata a backend keeps in an object it reuses for later packets (with the packet's pooled
 * content), so that a packet whose metadata nobody asks for costs no object of its own. {@link
 * org.nettydivert.transport.DivertPacket#metadata()} takes a {@link #snapshot()} the first time
 * it is asked, while the packet is still owned, and keeps that.
 */
public interface DeferredMetadata extends PacketMetadata {
    /** The metadata as it is now, in an object that stays as it is; this object if it already does. */
    PacketMetadata snapshot();
}
