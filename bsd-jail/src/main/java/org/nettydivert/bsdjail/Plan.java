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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Commands to run in order, each with the command that undoes it (or none). {@link #apply} runs
 * them; when one fails, what was done is undone in reverse before the failure propagates, so a
 * half-made network never outlives the call. {@link Applied#undo()} undoes a whole one in reverse.
 */
public final class Plan {
    /**
     * One command and its undo.
     *
     * @param run the command
     * @param undo the command that undoes it, or an empty list
     */
    public record Step(List<String> run, List<String> undo) {
        /** Copies both. */
        public Step {
            run = List.copyOf(run);
            undo = List.copyOf(undo);
        }
    }

    private final List<Step> steps = new ArrayList<>();

    /** An empty plan. */
    public Plan() {}

    /** Adds {@code run}, undone by {@code undo}. */
    public Plan step(List<String> run, List<String> undo) {
        steps.add(new Step(run, undo));
        return this;
    }

    /** Adds {@code run}, which needs no undo (or whose effect goes with an earlier step's undo). */
    public Plan step(List<String> run) {
        return step(run, List.of());
    }

    /** The steps, in order. */
    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    /** Every command the plan runs, in order. */
    public List<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        for (Step s : steps) {
            all.add(s.run());
        }
        return all;
    }

    /**
     * Runs the steps in order.
     *
     * @throws CommandFailedException when one fails, after the steps done before it were undone in
     *     reverse (failures of those undos are suppressed into it)
     */
    public Applied apply(CommandRunner runner) {
        Applied applied = new Applied(runner);
        for (Step s : steps) {
            CommandRunner.Result result = runner.run(s.run());
            if (!result.succeeded()) {
                CommandFailedException failure = new CommandFailedException(result);
                for (String line : applied.undo()) {
                    failure.addSuppressed(new IllegalStateException("while undoing: " + line));
                }
                throw failure;
            }
            applied.done.add(s);
        }
        return applied;
    }

    /** The steps a plan has done, to be undone. */
    public static final class Applied {
        private final CommandRunner runner;
        private final List<Step> done = new ArrayList<>();

        Applied(CommandRunner runner) {
            this.runner = runner;
        }

        /**
         * Runs the undos of the steps done, last first, each even when an earlier one failed; a step
         * undone once is not undone again.
         *
         * @return one line per undo that failed; empty when all succeeded
         */
        public List<String> undo() {
            List<String> failures = new ArrayList<>();
            for (int i = done.size() - 1; i >= 0; i--) {
                List<String> undo = done.get(i).undo();
                if (undo.isEmpty()) {
                    continue;
                }
                try {
                    CommandRunner.Result r = runner.run(undo);
                    if (!r.succeeded()) {
                        failures.add(new CommandFailedException(r).getMessage());
                    }
                } catch (RuntimeException e) {
                    failures.add(String.join(" ", undo) + ": " + e);
                }
            }
            done.clear();
            return failures;
        }
    }
}
