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
package org.nettydivert.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives each test of the annotated class (or the annotated test) an isolated network of its own,
 * passed as a {@link TestNetwork} parameter, and removes it afterwards, also when the test fails.
 * A test method's annotation overrides its class's.
 *
 * <p>After each test the kit fails it when a packet was left without a verdict, a buffer leaked,
 * or a namespace or jail survived. Where the network cannot be made (not root, no {@code
 * iptables} or {@code nft}, no {@code ipdivert}), each test is skipped with one line saying why.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(IsolatedNetworkExtension.class)
public @interface IsolatedNetwork {
    /** The network's shape; one host with loopback unless said. */
    Topology value() default Topology.SINGLE;
}
