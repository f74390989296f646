package io.lifeline.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Poll;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimerWheelTest {

    @Test
    void aTimeoutRunsOnceNeverBeforeItsDelay() {
        try (TimerWheel wheel = new TimerWheel(Duration.ofMillis(5), 64, "test-timer")) {
            AtomicInteger runs = new AtomicInteger();
            long[] ranAfter = new long[1];
            long start = System.nanoTime();
            wheel.schedule(Duration.ofMillis(120), () -> {
                ranAfter[0] = System.nanoTime() - start;
                runs.incrementAndGet();
            });
            Poll.until(Duration.ofSeconds(5), "the timeout runs", () -> runs.get() == 1);
            assertTrue(ranAfter[0] >= Duration.ofMillis(120).toNanos(), "ran after " + ranAfter[0] / 1_000_000 + " ms");
            assertEquals(1, runs.get());
        }
    }

    @Test
    void timeoutsLongerThanOneTurnOfTheWheelWaitTheirTurns() {
        // 8 slots of 2 ms: one turn is 16 ms, so these wait several turns.
        try (TimerWheel wheel = new TimerWheel(Duration.ofMillis(2), 8, "test-timer")) {
            List<Integer> order = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            ConcurrentHashMap<Integer, Long> ranAt = new ConcurrentHashMap<>();
            for (int delay : new int[] {90, 10, 50, 33}) {
                wheel.schedule(Duration.ofMillis(delay), () -> {
                    order.add(delay);
                    ranAt.put(delay, System.nanoTime() - start);
                });
            }
            Poll.until(Duration.ofSeconds(5), "all four run", () -> order.size() == 4);
            assertEquals(List.of(10, 33, 50, 90), order);
            ranAt.forEach((delay, nanos) -> assertTrue(nanos >= Duration.ofMillis(delay).toNanos(),
                    delay + " ms timeout ran after " + nanos / 1_000_000 + " ms"));
        }
    }

    @Test
    void theThreadSleepsThroughTicksThatHoldNothingAndWakesForATimeoutScheduledMeanwhile() {
        try (TimerWheel wheel = new TimerWheel(Duration.ofMillis(1), 64, "test-timer")) {
            AtomicInteger runs = new AtomicInteger();
            wheel.schedule(Duration.ofMillis(400), runs::incrementAndGet); // more than six turns away
            Poll.until(Duration.ofSeconds(5), "the far timeout runs", () -> runs.get() == 1);
            // one wake per turn for the far timeout's bucket, not one per tick (400)
            assertTrue(wheel.wakeups() < 40, "woke " + wheel.wakeups() + " times in 400 ticks");
            long idleSince = wheel.wakeups();
            runsSoonAfter(wheel, Duration.ofMillis(30)); // into the empty wheel
            assertTrue(wheel.wakeups() - idleSince <= 3, "woke " + (wheel.wakeups() - idleSince) + " times");
        }
    }

    @Test
    void aTimeoutDueBeforeTheThreadMeansToWakeWakesIt() {
        // 4096 slots of 10 ms, as the hub's: the only timeout held is 2 s away, so the thread sleeps that long
        try (TimerWheel wheel = new TimerWheel(Duration.ofMillis(10), 4096, "test-timer")) {
            AtomicInteger far = new AtomicInteger();
            wheel.schedule(Duration.ofSeconds(2), far::incrementAndGet);
            Poll.until(Duration.ofSeconds(5), "the thread sleeps until the far timeout",
                    () -> Thread.getAllStackTraces().keySet().stream().anyMatch(t ->
                            t.getName().equals("test-timer") && t.getState() == Thread.State.TIMED_WAITING));
            runsSoonAfter(wheel, Duration.ofMillis(30));
            assertEquals(0, far.get());
        }
    }

    /** Schedules a timeout and asserts that it runs once, never before {@code delay} and within a second. */
    private static void runsSoonAfter(TimerWheel wheel, Duration delay) {
        AtomicInteger runs = new AtomicInteger();
        long[] ranAfter = new long[1];
        long scheduledAt = System.nanoTime();
        wheel.schedule(delay, () -> {
            ranAfter[0] = System.nanoTime() - scheduledAt;
            runs.incrementAndGet();
        });
        Poll.until(Duration.ofSeconds(5), "the timeout runs", () -> runs.get() == 1);
        assertTrue(ranAfter[0] >= delay.toNanos(), "ran after " + ranAfter[0] / 1_000_000 + " ms");
        assertTrue(ranAfter[0] < Duration.ofSeconds(1).toNanos(), "ran after " + ranAfter[0] / 1_000_000 + " ms");
    }

    @Test
    void aCancelledTimeoutNeverRuns() {
        try (TimerWheel wheel = new TimerWheel(Duration.ofMillis(2), 64, "test-timer")) {
            AtomicInteger cancelled = new AtomicInteger();
            AtomicInteger marker = new AtomicInteger();
            TimerWheel.Timeout t = wheel.schedule(Duration.ofMillis(20), cancelled::incrementAndGet);
            t.cancel();
            wheel.schedule(Duration.ofMillis(60), marker::incrementAndGet);
            Poll.until(Duration.ofSeconds(5), "a later timeout runs", () -> marker.get() == 1);
            assertEquals(0, cancelled.get());
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheWheel() {
        try (TimerWheel wheel = new TimerWheel(Duration.ofMillis(2), 64, "test-timer")) {
            AtomicInteger after = new AtomicInteger();
            wheel.schedule(Duration.ofMillis(5), () -> {
                throw new IllegalStateException("boom");
            });
            wheel.schedule(Duration.ofMillis(30), after::incrementAndGet);
            Poll.until(Duration.ofSeconds(5), "the next timeout runs", () -> after.get() == 1);
        }
    }

    @Test
    void manyTimeoutsScheduledFromManyThreadsAllRun() throws InterruptedException {
        try (TimerWheel wheel = new TimerWheel(Duration.ofMillis(1), 256, "test-timer")) {
            AtomicInteger runs = new AtomicInteger();
            Thread[] threads = new Thread[8];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    for (int j = 0; j < 10_000; j++) {
                        wheel.schedule(Duration.ofMillis(j % 300), runs::incrementAndGet);
                    }
                });
                threads[i].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            Poll.until(Duration.ofSeconds(10), "80,000 timeouts run", () -> runs.get() == 80_000);
        }
    }
}
