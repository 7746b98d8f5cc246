package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.pytorch.jni.JniUtils;
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
    void withOneThreadNothingIsRepartitioned() {
        JniUtils.setNumThreads(1);
        try (TeacherAhead ahead = new TeacherAhead(null, 1, 1)) {
            assertThat(ahead.besideTheTeacher(JniUtils::getNumThreads)).isEqualTo(1);
            assertThat(JniUtils.getNumThreads()).isEqualTo(1);
        }
    }
}
