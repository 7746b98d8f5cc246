package dev.arbooth.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GracefulStopTest {
    @Test
    void aRequestIsTakenAtTheNextBoundaryWithItsCheckpointAndTheTrainingThreadStopsThere() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GracefulStop stop =
                GracefulStop.unregistered(Duration.ofSeconds(30), new PrintStream(out, true, StandardCharsets.UTF_8));
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger saves = new AtomicInteger();
        Thread training = new Thread(() -> {
            while (true) {
                steps.incrementAndGet(); // a "step"
                stop.atBoundary("step " + steps.get(), saves::incrementAndGet);
            }
        });
        training.setDaemon(true);
        training.start();
        while (steps.get() < 100) {
            Thread.onSpinWait();
        }
        assertThat(stop.requestAndAwait()).as("released by the training thread").isTrue();
        int stoppedAt = steps.get();
        assertThat(saves.get()).isEqualTo(1);
        Thread.sleep(50);
        assertThat(steps.get()).as("no step after the stop").isEqualTo(stoppedAt);
        assertThat(training.isAlive()).as("parked, not returned into more work").isTrue();
        assertThat(training.getState()).isEqualTo(Thread.State.WAITING);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("stopped at step " + stoppedAt + " on request; the checkpoint is written");
    }

    @Test
    void aRunThatEndedDoesNotHoldTheExitAndNoRequestNeverStops() {
        GracefulStop stop = GracefulStop.unregistered(Duration.ofMinutes(5), null);
        AtomicInteger saves = new AtomicInteger();
        stop.atBoundary("step 1", saves::incrementAndGet); // no request: returns at once
        assertThat(saves.get()).isZero();
        stop.finished();
        long t = System.nanoTime();
        assertThat(stop.requestAndAwait()).isTrue();
        assertThat((System.nanoTime() - t) / 1e9).as("seconds waited").isLessThan(5);
        assertThat(GracefulStop.never().requested()).isFalse();
    }

    @Test
    void withoutABoundaryTheRequesterGivesUpAfterItsPatience() {
        GracefulStop stop = GracefulStop.unregistered(Duration.ofMillis(200), null);
        assertThat(stop.requestAndAwait()).isFalse();
        assertThat(stop.requested()).isTrue();
    }
}
