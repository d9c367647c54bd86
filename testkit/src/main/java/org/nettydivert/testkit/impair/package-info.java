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
 * Impairment handlers: ordinary Netty handlers over {@code DivertPacket}s that delay, lose,
 * duplicate, reorder, rate-limit and corrupt traffic, reproducibly (per-flow selectors and seeded
 * random sources).
 *
 * <ul>
 *   <li>{@link org.nettydivert.testkit.impair.DelayHandler}: netem's {@code delay D J}, uniform or
 *       normal;
 *   <li>{@link org.nettydivert.testkit.impair.LossHandler}: {@code loss random P} and the
 *       Gilbert–Elliott {@code loss gemodel p r 1-h 1-k};
 *   <li>{@link org.nettydivert.testkit.impair.DuplicateHandler}: {@code duplicate P}, the copy
 *       injected as a new packet;
 *   <li>{@link org.nettydivert.testkit.impair.ReorderHandler}: {@code delay D reorder P gap N};
 *   <li>{@link org.nettydivert.testkit.impair.RateLimitHandler}: a {@code tbf}-like token bucket
 *       with a byte-limited queue;
 *   <li>{@link org.nettydivert.testkit.impair.CorruptHandler}: {@code corrupt P}, one bit
 *       flipped, checksums fixed or not.
 * </ul>
 *
 * <p>They are inbound handlers placed before the handler that writes packets back; what they let
 * through goes on with {@code fireChannelRead}, what they lose they release, what they delay they
 * fire later from the channel's executor followed by {@code fireChannelReadComplete}. Their time is
 * the executor's, so they run on codec-ip's {@code OfflineReplay} clock as well as live. {@link
 * org.nettydivert.testkit.impair.ImpairmentHandler} says the rest.
 */
package org.nettydivert.testkit.impair;
