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
package org.nettydivert.transport;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One line per real-BSD check on standard output, {@code PASS}, {@code FAIL} or {@code SKIP}, with
 * the reason for the last two, next to the JUnit reports: {@code FAIL
 * FreeBsdKernelClausesTest.tagIsTheRuleNumber: expected: <100> but was: <0>}.
 */
final class BsdContractReport implements TestWatcher {
    @Override
    public void testSuccessful(ExtensionContext context) {
        System.out.println(line("PASS", context, null));
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        System.out.println(line("FAIL", context, cause));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        System.out.println(line("SKIP", context, cause));
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        System.out.println(
                line("SKIP", context, null) + reason.map(r -> ": " + r).orElse(""));
    }

    static String line(String verdict, ExtensionContext context, Throwable cause) {
        String check = context.getRequiredTestClass().getSimpleName() + "."
                + context.getRequiredTestMethod().getName();
        return verdict + " " + check + (cause == null ? "" : ": " + firstLine(cause));
    }

    static String firstLine(Throwable cause) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
