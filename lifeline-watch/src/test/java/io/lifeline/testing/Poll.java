package io.lifeline.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: the only way tests synchronise with the server. */
public final class Poll {

    private Poll() {
    }

    /** Polls until {@code condition} holds; fails with {@code what} once {@code within} has passed. */
    public static void until(Duration within, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within.toMillis() + " ms: " + what);
            }
            pause();
        }
    }

    /** Polls until {@code supplier} returns non-null and returns it. */
    public static <T> T forValue(Duration within, String what, Supplier<T> supplier) {
        long deadline = System.nanoTime() + within.toNanos();
        T value;
        while ((value = supplier.get()) == null) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within.toMillis() + " ms: " + what);
            }
            pause();
        }
        return value;
    }

    private static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
