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
package org.nettydivert.testkit.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's opening example is {@link DropFilterTest}, so it compiles and passes with the build. */
class ReadmeTest {
    @Test
    void theReadmeOpensWithDropFilterTestAsItIsHere() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```java\n");
        int end = readme.indexOf("```", start + 8);
        String example = readme.substring(start + 8, end);
        String source = Files.readString(Path.of("src/test/java/org/nettydivert/testkit/readme/DropFilterTest.java"));
        String withoutLicenseAndPackage = source.substring(source.indexOf("\nimport ") + 1);
        assertEquals(withoutLicenseAndPackage, example);
    }
}
