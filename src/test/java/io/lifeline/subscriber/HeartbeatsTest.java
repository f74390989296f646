package io.lifeline.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Poll;
import io.lifeline.timer.TimerWheel;
import io.lifeline.topic.Matcher;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeartbeatsTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);

    private final TimerWheel timer = new TimerWheel(Duration.ofMillis(10), 512, "test-timer");
    private final ExecutorService writers = Executors.newFixedThreadPool(2);
    private final Heartbeats heartbeats = new Heartbeats(INTERVAL, timer, writers);
    private final AtomicReference<EndReason> ended = new AtomicReference<>();

    @AfterEach
    void stop() {
        heartbeats.stop();
        writers.shutdownNow();
        timer.close();
    }

    @Test
    void anIdleSubscriberGetsOneHeartbeatEachIntervalWrittenAndFlushedOnTheRoundsThread() {
        RecordingStream stream = new RecordingStream();
        Subscriber subscriber = started(stream);

        Poll.until(Duration.ofSeconds(5), "three heartbeats", () -> stream.comments().size() >= 4);
        List<Long> at = stream.comments();
        for (int i = 2; i < at.size(); i++) {
            long between = at.get(i) - at.get(i - 1);
            assertTrue(between >= INTERVAL.minusMillis(40).toNanos() && between <= INTERVAL.plusMillis(150).toNanos(),
                    "between heartbeats: " + Duration.ofNanos(between));
        }
        assertTrue(stream.flushes >= at.size() - 1, "each heartbeat flushed");
        assertEquals(0, subscriber.queuedBytes(), "nothing queued for a heartbeat");
        assertEquals(3L * at.size(), subscriber.bytesSent());
    }

    @Test
    void aSubscriberThatEndedLeavesTheRoundsAndGetsNoMoreHeartbeats() {
        RecordingStream stream = new RecordingStream();
        Subscriber subscriber = started(stream);
        assertEquals(1, heartbeats.size());

        subscriber.end(EndReason.CLIENT_CLOSED);

        assertEquals(0, heartbeats.size());
        int written = stream.comments().size();
        awaitTwoFullRounds();
        assertEquals(written, stream.comments().size());
    }

    @Test
    void aStreamWhoseWriteHasNotFinishedGetsNoHeartbeatUntilItCanTakeBytesAgain() {
        RecordingStream stream = new RecordingStream();
        Subscriber subscriber = started(stream);
        Poll.until(Duration.ofSeconds(5), "a first heartbeat", () -> stream.comments().size() >= 2);

        stream.ready = false; // the next write does not finish at once
        Poll.until(Duration.ofSeconds(5), "a heartbeat finds the stream busy", () -> stream.refusedChecks > 0);
        int written = stream.comments().size();
        awaitTwoFullRounds();
        assertEquals(written, stream.comments().size(), "no heartbeat while the write is unfinished");
        assertFalse(subscriber.isEnded(), "blocked within its dispatch timeout");

        int flushes = stream.flushes;
        stream.ready = true;
        subscriber.onWritable();
        Poll.until(Duration.ofSeconds(5), "the heartbeat written before the stream blocked is flushed",
                () -> stream.flushes > flushes);
        Poll.until(Duration.ofSeconds(5), "heartbeats again", () -> stream.comments().size() > written);
    }

    @Test
    void aHeartbeatThatFailsToWriteEndsTheSubscriber() {
        RecordingStream stream = new RecordingStream();
        started(stream);
        stream.failure = new IOException("Broken pipe");

        Poll.until(Duration.ofSeconds(5), "the subscriber's end is recorded", () -> ended.get() != null);

        assertEquals(EndReason.WRITE_FAILED, ended.get());
        assertEquals(0, heartbeats.size());
    }

    @Test
    void aStreamWithFramesQueuedGetsNoHeartbeatItsFramesKeepTheConnectionBusy() throws Exception {
        try (FakeHost host = new FakeHost(65_536, Duration.ofSeconds(30))) {
            FakeStream stream = new FakeStream();
            Subscriber subscriber = host.started(stream);
            CountDownLatch release = new CountDownLatch(1);
            stream.holdNextWrite(release);
            Thread writer = new Thread(() -> subscriber.offer(Frame.event("book", "one")), "held-writer");
            writer.start();
            stream.awaitInsideWrite();
            subscriber.offer(Frame.event("book", "two"));

            subscriber.heartbeat();
            release.countDown();
            writer.join(10_000);

            assertEquals(":\n\nevent: book\ndata: one\n\nevent: book\ndata: two\n\n", stream.text(),
                    "the opening comment and the two frames, no heartbeat between them");
        }
    }

    /** Another subscriber, started now, has had two heartbeats: every slot has been visited since. */
    private void awaitTwoFullRounds() {
        RecordingStream witness = new RecordingStream();
        started(witness);
        Poll.until(Duration.ofSeconds(5), "a witness's two heartbeats", () -> witness.comments().size() >= 3);
    }

    private Subscriber started(RecordingStream stream) {
        Subscriber subscriber = new Subscriber("urn:test", Matcher.selectors(List.of("t")), null, "remote", "client",
                stream, host());
        subscriber.onWritable();
        subscriber.start();
        return subscriber;
    }

    private SubscriberHost host() {
        return new SubscriberHost() {
            @Override
            public Limits limits() {
                return new Limits(INTERVAL, Duration.ofSeconds(30), 65536, Duration.ZERO, Duration.ZERO);
            }

            @Override
            public TimerWheel timer() {
                return timer;
            }

            @Override
            public Heartbeats heartbeats() {
                return heartbeats;
            }

            @Override
            public java.util.concurrent.Executor writers() {
                return writers;
            }

            @Override
            public java.util.concurrent.Executor releases() {
                return writers;
            }

            @Override
            public void endWithCursor(Subscriber subscriber, EndReason reason, long retryMillis) {
                subscriber.end(reason);
            }

            @Override
            public void unindex(Subscriber subscriber) {
            }

            @Override
            public void queuedBytes(long delta) {
            }

            @Override
            public void delivered(Subscriber subscriber) {
            }

            @Override
            public void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos) {
                ended.set(reason);
            }
        };
    }

    /** A response in memory that keeps the Servlet API's rule: after a write or a flush, ask before the next. */
    private static final class RecordingStream implements SseStream {
        final List<Long> commentsAt = new CopyOnWriteArrayList<>();
        volatile boolean ready = true;
        volatile IOException failure;
        volatile int flushes;
        volatile int readinessChecks;
        volatile int refusedChecks;
        private boolean asked;

        @Override
        public synchronized boolean isReady() {
            readinessChecks++;
            if (!ready) {
                refusedChecks++;
            }
            asked = ready;
            return ready;
        }

        @Override
        public synchronized void write(byte[] bytes) throws IOException {
            use();
            if (bytes.length == 3 && bytes[0] == ':') {
                commentsAt.add(System.nanoTime());
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            use();
            flushes++;
        }

        private void use() throws IOException {
            if (!asked) {
                throw new IllegalStateException("isReady() not called");
            }
            asked = false;
            if (failure != null) {
                throw failure;
            }
        }

        List<Long> comments() {
            return List.copyOf(commentsAt);
        }

        @Override
        public void complete() {
        }

        @Override
        public void abort() {
        }
    }
}
