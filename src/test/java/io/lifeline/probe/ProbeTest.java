package io.lifeline.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.lifeline.probe.Finding.Outcome;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one run weighs its findings. */
class ProbeTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aNoticedDepartureIsDoubtedWhereTheHeldStreamEndedByItselfAtAboutTheSameAge() {
        Finding late = new Finding("fin", "FIN, reading on", Outcome.NOTICED, "closed its side 700 ms after the FIN",
                null, Map.of("after_ms", 700L, "age_ms", 900L));
        Finding early = new Finding("fin", "FIN, reading on", Outcome.NOTICED, "closed its side 1 ms after the FIN",
                null, Map.of("after_ms", 1L, "age_ms", 201L));

        Finding doubted = Probe.unlessSelfEnded(late, SECOND);
        assertEquals(Outcome.ERROR, doubted.outcome());
        assertEquals("its stream ended 900 ms after it began, but the held stream also ended by itself after 1.00 s: "
                + "the server ends its streams on its own, so this end may not be the departure's", doubted.detail());
        assertSame(early, Probe.unlessSelfEnded(early, SECOND), "ended at a fifth of the held stream's life");
        assertSame(late, Probe.unlessSelfEnded(late, -1), "the held stream lasted the window");
    }

    @Test
    void aRunLastsTwoWindowsAndSlackAtMost() {
        assertEquals(Duration.ofSeconds(70), Probe.longest(Duration.ofSeconds(20)));
    }
}
