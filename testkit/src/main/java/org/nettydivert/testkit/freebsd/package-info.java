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
 * Internal: isolated networks on FreeBSD. The test JVM enters a VNET jail of its own once ({@code
 * org.nettydivert.bsdjail.VnetSession}); each network's diverting host is that jail, its other
 * hosts are child jails across epairs, and {@link org.nettydivert.testkit.DivertRule}s become ipfw
 * rules ({@link org.nettydivert.testkit.freebsd.IpfwRules}). Written against the FreeBSD sources and
 * manual pages; not run by the project's own CI (see testkit/FREEBSD.md).
 */
package org.nettydivert.testkit.freebsd;
