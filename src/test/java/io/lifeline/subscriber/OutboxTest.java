package io.lifeline.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber's queue and writer on their own ({@link Outbox}), against a {@link FakeStream}: what queuing touches,
 * what the counts say, the catch-up drain a fan-out runs, and closing. The rules the subscriber builds on them (the
 * bound, the writer lock, completing against aborting) are in {@link SubscriberTest}.
 */
class OutboxTest {

    private static final long BOUND = 1_000;

    private final List<FakeHost> hosts = new ArrayList<>();

    @AfterEach
    void closeHosts() {
        hosts.forEach(FakeHost::close);
    }

    /** An outbox on {@code stream}, its owner a subscriber of its own (told only of an overflow). */
    private Outbox outbox(FakeStream stream, FakeHost host) {
        Subscriber owner = host.started(new FakeStream());
        return new Outbox(owner, stream, host, BOUND);
    }

    private FakeHost host() {
        FakeHost host = new FakeHost(BOUND, Duration.ofSeconds(30));
        hosts.add(host);
        return host;
    }

    private static Frame update(int bytes) {
        return Frame.event("book", "x".repeat(bytes));
    }

    @Test
    void queuingTouchesNoConnectionAndTheFirstWritableDrainsEverythingInOrder() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Outbox outbox = outbox(stream, host);
        Frame one = Frame.event("book", "one");
        Frame two = Frame.event("book", "two");

        assertTrue(outbox.offer(one));
        assertTrue(outbox.offer(two));
        outbox.requestWrite(); // before the container said the stream is writable: nobody is asked

        assertEquals("", stream.text());
        assertEquals(one.size() + two.size(), outbox.queuedBytes());

        outbox.onWritable();

        assertTrue(stream.text().indexOf("one") < stream.text().indexOf("two"), stream.text());
        assertEquals(0, outbox.queuedBytes());
        assertEquals(2, outbox.updatesSent());
        assertEquals(one.size() + two.size(), outbox.bytesSent());
        assertNull(stream.misuse);
    }

    @Test
    void aQueueMoreThanHalfFullIsDrainedByTheCallerWhenNoWriterHoldsIt() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Outbox outbox = outbox(stream, host);
        outbox.onWritable();
        assertTrue(outbox.offer(update(300)));
        assertTrue(outbox.offer(update(300)));

        outbox.drainIfDeep(System.nanoTime() + Duration.ofSeconds(1).toNanos());

        assertEquals(0, outbox.queuedBytes(), "drained on the calling thread");
        assertEquals(2, outbox.updatesSent());
    }

    @Test
    void aQueueUnderHalfItsBoundIsLeftToTheWriters() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Outbox outbox = outbox(stream, host);
        outbox.onWritable();
        Frame small = update(100);
        assertTrue(outbox.offer(small));

        outbox.drainIfDeep(System.nanoTime() + Duration.ofSeconds(1).toNanos());

        assertEquals(small.size(), outbox.queuedBytes(), "a writer run batches it with what follows");
    }

    @Test
    void theCatchUpDrainNeverWaitsForAConnectionThatTakesNothing() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Outbox outbox = outbox(stream, host);
        outbox.onWritable();
        stream.nextWriteStaysUnfinished();
        assertTrue(outbox.offer(update(100)));
        outbox.runWriter(); // the write stays unfinished: the connection takes nothing more
        assertTrue(outbox.isBlocked());
        assertTrue(outbox.offer(update(300)));
        assertTrue(outbox.offer(update(300)));

        // the deadline is far off: it returns because the connection is blocked, not because time ran out
        outbox.drainIfDeep(System.nanoTime() + Duration.ofHours(1).toNanos());

        assertTrue(outbox.queuedBytes() > BOUND / 2, "still queued for when the container says writable");
    }

    @Test
    void closingDropsWhatIsQueuedThenCompletesOrAbortsThenRunsItsLastStepOnce() {
        for (boolean abort : new boolean[] {false, true}) {
            FakeHost host = host();
            FakeStream stream = new FakeStream();
            Outbox outbox = outbox(stream, host);
            assertTrue(outbox.offer(update(100)));
            AtomicInteger lastSteps = new AtomicInteger();

            outbox.close(abort, lastSteps::incrementAndGet);

            assertEquals(1, lastSteps.get());
            assertEquals(abort ? 0 : 1, stream.completions.get());
            assertEquals(abort ? 1 : 0, stream.aborts.get());
            assertEquals(0, outbox.queuedBytes(), "what was queued is dropped");
            assertEquals(0, outbox.bytesSent(), "and never written");
            assertTrue(!outbox.offer(update(10)), "a closed outbox takes nothing");
            assertNull(stream.misuse);
        }
    }
}
