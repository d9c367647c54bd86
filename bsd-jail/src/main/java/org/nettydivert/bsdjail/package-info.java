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
 * Internal: the BSD test networks' command layer. {@link org.nettydivert.bsdjail.FreeBsdCommands}
 * and {@link org.nettydivert.bsdjail.OpenBsdCommands} render argv (nothing else), {@link
 * org.nettydivert.bsdjail.Plan} runs steps through a {@link org.nettydivert.bsdjail.CommandRunner}
 * and undoes them in reverse, {@link org.nettydivert.bsdjail.VnetSession} puts the JVM in a VNET
 * jail of its own. Everything but the runner and the attach is testable on any system.
 */
package org.nettydivert.bsdjail;
