package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The core partition of {@link TeacherAhead} (the drawing itself: {@code FitLoopGoldenTest}). */
class TeacherAheadTest {
    private int before;

    @BeforeEach
    void engine() {
        DjlEngine.pytorch(1);
        before = JniUtils.getNumThreads();
    }

    @AfterEach
    void restore() {
        JniUtils.setNumThreads(before);
    }

    @Test
    void theTeacherTakesHalfTheCoresAndAtLeastOne() {
        assertThat(TeacherAhead.teacherThreads(1)).isEqualTo(1);
        assertThat(TeacherAhead.teacherThreads(2)).isEqualTo(1);
        assertThat(TeacherAhead.teacherThreads(3)).isEqualTo(1);
        assertThat(TeacherAhead.teacherThreads(16)).isEqualTo(8);
    }

    @Test
    void aStudentStepBesideTheTeacherRunsOnTheRestAndGivesTheCoresBack() {
        JniUtils.setNumThreads(2);
        try (TeacherAhead ahead = new TeacherAhead(null, 2, 1)) {
            assertThat(ahead.besideTheTeacher(JniUtils::getNumThreads)).isEqualTo(1);
            assertThat(JniUtils.getNumThreads()).isEqualTo(2);
            assertThatThrownBy(() -> ahead.besideTheTeacher(() -> {
                        throw new IllegalStateException("step failed");
                    }))
                    .hasMessage("step failed");
            assertThat(JniUtils.getNumThreads()).isEqualTo(2);
        }
    }

    @Test
    void anInterruptWhileAwaitingADrawIsKeptNotActedOn() throws Exception {
        TeacherSample sample = new TeacherSample(List.of(new long[] {1}), new float[] {2}, new float[] {3}, null);
        java.util.concurrent.CompletableFuture<TeacherSample> later = new java.util.concurrent.CompletableFuture<>();
        Thread waiter = Thread.currentThread();
        Thread finisher = new Thread(() -> {
            waiter.interrupt();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            later.complete(sample);
        });
        finisher.start();
        try {
            assertThat(TeacherAhead.await(later)).isSameAs(sample);
            assertThat(Thread.interrupted())
                    .as("the interrupt is kept for the next step boundary")
                    .isTrue();
        } finally {
            finisher.join();
            Thread.interrupted();
        }
    }

    @Test
    void aFailedDrawRethrowsWhatTheTeacherThrew() {
        java.util.concurrent.CompletableFuture<TeacherSample> failed = new java.util.concurrent.CompletableFuture<>();
        failed.completeExceptionally(new IllegalStateException("sampling broke"));
        assertThatThrownBy(() -> TeacherAhead.await(failed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sampling broke");
    }

    @Test
    void withOneThreadNothingIsRepartitioned() {
        JniUtils.setNumThreads(1);
        try (TeacherAhead ahead = new TeacherAhead(null, 1, 1)) {
            assertThat(ahead.besideTheTeacher(JniUtils::getNumThreads)).isEqualTo(1);
            assertThat(JniUtils.getNumThreads()).isEqualTo(1);
        }
    }
}
