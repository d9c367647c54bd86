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
 * netty-divert's testkit: integration tests of divert pipelines on isolated networks, and
 * impairment handlers. {@code org.nettydivert.testkit} and {@code .impair} are API; the
 * per-system parts are internal.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.nettydivert.testkit {
    requires transitive org.nettydivert.transport;
    requires transitive org.junit.jupiter.api;
    requires org.junit.platform.commons;
    requires org.opentest4j;
    requires io.netty.buffer;
    requires com.sun.jna;
    requires org.nettydivert.bsdjail;
    requires jdk.httpserver;

    exports org.nettydivert.testkit;
    exports org.nettydivert.testkit.impair;
}
