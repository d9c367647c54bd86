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
package org.nettydivert.bsdjail;

import java.util.List;

/**
 * Runs one command to completion. The real runner ({@link ProcessRunner}) starts a process; tests
 * use a recording one, which is how the exact order of setup and teardown is checked off a BSD.
 */
@FunctionalInterface
public interface CommandRunner {
    /** Runs {@code argv} and returns what it did; never throws for a nonzero exit. */
    Result run(List<String> argv);

    /**
     * What a command did.
     *
     * @param argv the command
     * @param exitCode its exit status
     * @param out its standard output
     * @param err its standard error
     */
    record Result(List<String> argv, int exitCode, String out, String err) {
        /** Copies {@code argv}. */
        public Result {
            argv = List.copyOf(argv);
        }

        /** A successful result with {@code out} as its output. */
        public static Result ok(List<String> argv, String out) {
            return new Result(argv, 0, out, "");
        }

        /** Whether it exited with 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }

        /**
         * This result when it succeeded.
         *
         * @throws CommandFailedException otherwise, with the command and its stderr
         */
        public Result checked() {
            if (!succeeded()) {
                throw new CommandFailedException(this);
            }
            return this;
        }

        /** The command as one would type it. */
        public String commandLine() {
            return String.join(" ", argv);
        }
    }
}
