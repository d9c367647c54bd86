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
 * netty-divert's API: {@link org.nettydivert.transport.DivertChannel} reads packets the kernel
 * diverts (FreeBSD and OpenBSD divert sockets, Linux NFQUEUE) and writes them back, on an event
 * loop of {@link org.nettydivert.transport.DivertIoHandler}; a written packet is its verdict.
 * {@link org.nettydivert.transport.DivertAddress} says where a packet came from and what to do
 * with it, and {@link org.nettydivert.transport.DivertChannelOption} tunes the channel.
 */
package org.nettydivert.transport;
