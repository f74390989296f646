package io.lifeline.testing;

import java.time.Duration;

/** One deadline shared by several checks: "all of this within one second of the departure". */
public final class Deadline {

    private final long deadlineNanos;

    private Deadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    public static Deadline after(long startNanos, Duration within) {
        return new Deadline(startNanos + within.toNanos());
    }

    /** What is left, never negative: a check polled with it fails once the deadline has passed. */
    public Duration left() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }
}
