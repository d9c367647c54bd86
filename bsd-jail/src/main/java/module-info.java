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
 * Internal support for tests on FreeBSD and OpenBSD: the commands that make and remove VNET jails,
 * epairs, ipfw rules and pf anchors, as argv, run in order and undone in reverse; and attaching the
 * JVM to a jail. Shared by netty-divert's testkit and by the transport's real-BSD contract suite.
 * Not an API: it may change in any release.
 */
@SuppressWarnings("requires-automatic")
module org.nettydivert.bsdjail {
    requires com.sun.jna;

    exports org.nettydivert.bsdjail;
}
