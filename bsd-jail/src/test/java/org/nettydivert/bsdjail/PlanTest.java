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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A plan runs in order, undoes in reverse, and leaves nothing behind when a step fails. */
class PlanTest {
    private static Plan threeSteps() {
        return new Plan()
                .step(List.of("make", "a"), List.of("remove", "a"))
                .step(List.of("configure", "a"))
                .step(List.of("make", "b"), List.of("remove", "b"));
    }

    @Test
    void stepsRunInOrderAndAreUndoneInReverse() {
        RecordingRunner runner = new RecordingRunner();
        Plan.Applied applied = threeSteps().apply(runner);
        assertEquals(List.of("make a", "configure a", "make b"), runner.log());
        runner.clear();
        assertEquals(List.of(), applied.undo());
        assertEquals(List.of("remove b", "remove a"), runner.log());
        runner.clear();
        assertEquals(List.of(), applied.undo(), "undone once only");
        assertEquals(List.of(), runner.log());
    }

    @Test
    void aFailingStepUndoesWhatWasDoneBeforeItAndReportsItsCommand() {
        RecordingRunner runner = new RecordingRunner().answer(List.of("make", "b"), 1, "");
        CommandFailedException e =
                assertThrows(CommandFailedException.class, () -> threeSteps().apply(runner));
        assertEquals(List.of("make a", "configure a", "make b", "remove a"), runner.log());
        assertEquals("make b exited with 1: scripted failure", e.getMessage());
    }

    @Test
    void anUndoThatFailsDoesNotStopTheOthers() {
        RecordingRunner runner = new RecordingRunner().answer(List.of("remove", "b"), 2, "");
        Plan.Applied applied = threeSteps().apply(runner);
        runner.clear();
        List<String> failures = applied.undo();
        assertEquals(List.of("remove b", "remove a"), runner.log());
        assertEquals(1, failures.size());
        assertTrue(failures.get(0).startsWith("remove b exited with 2"), failures.get(0));
    }
}
