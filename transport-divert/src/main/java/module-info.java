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
 * netty-divert's transport: kernel packet diversion (FreeBSD and OpenBSD divert sockets, Linux
 * NFQUEUE) as a Netty channel. Only {@code org.nettydivert.transport} is API; the backends
 * ({@code .nfqueue}, {@code .bsd}), the interface between them and the channel ({@code .spi})
 * and the native layer ({@code .unix}) are internal and not exported.
 */
// Netty 4.2 ships automatic modules: their names are stable (Automatic-Module-Name), and users of
// the API need them, hence transitive.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.nettydivert.transport {
    requires transitive io.netty.buffer;
    requires transitive io.netty.common;
    requires transitive io.netty.transport;
    requires com.sun.jna;

    exports org.nettydivert.transport;
}
