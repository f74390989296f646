package io.lifeline.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Poll;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One subscriber's life against a stream and a host in memory ({@link FakeStream}, {@link FakeHost}): the one door
 * out, the queue's bound, the writer lock, completing against aborting, and the cursor its client is left with. The
 * same rules hold end to end in the departure and conformance tests; here each is pinned on its own, in
 * milliseconds.
 */
class SubscriberTest {

    private static final String OPENING = ":\n\n";

    private final List<FakeHost> hosts = new ArrayList<>();

    @AfterEach
    void closeHosts() {
        hosts.forEach(FakeHost::close);
    }

    private FakeHost host(long queueBytes, Duration dispatchTimeout) {
        FakeHost host = new FakeHost(queueBytes, dispatchTimeout);
        hosts.add(host);
        return host;
    }

    private FakeHost host() {
        return host(65_536, Duration.ofSeconds(30));
    }

    private static Frame update(String data) {
        return Frame.event("book", data);
    }

    @Test
    void concurrentEndsReleaseExactlyOnceWithTheReasonOfTheOneThatWon() throws Exception {
        EndReason[] reasons = {EndReason.CLIENT_CLOSED, EndReason.CLIENT_RESET, EndReason.MAX_LIFETIME,
                EndReason.WRITE_FAILED, EndReason.SERVER_SHUTDOWN, EndReason.TOKEN_EXPIRED};
        for (int round = 0; round < 200; round++) {
            FakeHost host = host();
            FakeStream stream = new FakeStream();
            Subscriber subscriber = host.started(stream);
            CyclicBarrier together = new CyclicBarrier(reasons.length);
            AtomicInteger winners = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            EndReason[] won = new EndReason[1];
            for (EndReason reason : reasons) {
                Thread thread = new Thread(() -> {
                    try {
                        together.await();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    if (subscriber.end(reason)) {
                        winners.incrementAndGet();
                        won[0] = reason;
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join(10_000);
            }

            assertEquals(1, winners.get(), "one caller ends it");
            assertEquals(List.of(won[0]), host.ends, "its end recorded once, with the winner's reason");
            assertEquals(won[0], subscriber.endReason());
            assertEquals(1, host.unindexed.get(), "removed from the index once");
            assertEquals(1, stream.completions.get() + stream.aborts.get(), "the response ended once");
            assertNull(stream.misuse);
        }
    }

    @Test
    void anEndLeavesNoFrameQueuedAndTakesNoMore() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.notReady();
        assertTrue(subscriber.offer(update("one")));
        assertTrue(host.queued.get() > 0);

        assertTrue(subscriber.end(EndReason.CLIENT_CLOSED));

        assertEquals(0, host.queued.get(), "what was queued is released with it");
        assertEquals(0, subscriber.queuedBytes());
        assertFalse(subscriber.offer(update("two")), "an ended subscriber takes nothing");
        assertFalse(subscriber.end(EndReason.CLIENT_RESET), "and the door out opens once");
        assertEquals(List.of(EndReason.CLIENT_CLOSED), host.ends);
    }

    @Test
    void nothingIsWrittenBeforeTheContainerSaysTheStreamCanBeWritten() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = new Subscriber("urn:test", io.lifeline.topic.Matcher.selectors(List.of("t")), null,
                "remote", "client", stream, host);
        subscriber.start();
        subscriber.offerCursor("urn:lifeline:position:test-1");
        subscriber.offer(update("one"));
        assertEquals("", stream.text());

        subscriber.onWritable();

        assertEquals(OPENING + "id: urn:lifeline:position:test-1\n\nevent: book\ndata: one\n\n", stream.text());
        assertEquals(1, host.delivered.get(), "the update counted as delivered, the comment and cursor not");
        assertNull(stream.misuse);
    }

    @Test
    void theCursorGoesOutAfterTheReplayAndBeforeTheFirstLiveUpdate() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);

        subscriber.offerReplay(update("replayed"));
        subscriber.offerCursor("urn:lifeline:position:test-2");
        subscriber.offer(update("live"));

        assertEquals(OPENING + "event: book\ndata: replayed\n\nid: urn:lifeline:position:test-2\n\n"
                + "event: book\ndata: live\n\n", stream.text());
    }

    @Test
    void aFrameThatWouldOverflowTheQueueIsRefusedAndTheSubscriberEndsWriteStalledOnTheReleaseThread() {
        FakeHost host = host(1_000, Duration.ofSeconds(30));
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.notReady();
        int taken = 0;
        while (subscriber.offer(update("x".repeat(90)))) {
            taken++;
        }

        assertEquals(9, taken, "frames of 110 bytes until the next would pass 1,000");
        assertFalse(subscriber.isEnded(), "the one who overflowed it does not end it");
        assertEquals(List.of(), host.ends);
        assertFalse(subscriber.offer(update("more")), "an overflowed queue takes nothing more");
        assertEquals(1, host.releases.size(), "its end handed to the release thread, once");

        host.runReleases();

        assertEquals(List.of(EndReason.WRITE_STALLED), host.ends);
        assertEquals(1, stream.aborts.get(), "bytes may be stuck in its connection: aborted, not completed");
        assertEquals(0, stream.completions.get());
        assertEquals(0, host.queued.get());
    }

    @Test
    void aSingleFrameLargerThanTheBoundIsTakenIntoAnEmptyQueue() {
        FakeHost host = host(1_000, Duration.ofSeconds(30));
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.notReady();

        assertTrue(subscriber.offer(update("x".repeat(5_000))), "an empty queue takes one large update");
        assertFalse(subscriber.offer(update("y")), "but nothing beside it");
        host.runReleases();
        assertEquals(List.of(EndReason.WRITE_STALLED), host.ends);
    }

    @Test
    void aReplayFromTheHistoryDoesNotCountAgainstTheBound() {
        FakeHost host = host(1_000, Duration.ofSeconds(30));
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.notReady();

        for (int i = 0; i < 30; i++) {
            subscriber.offerReplay(update("x".repeat(90)));
        }
        assertTrue(subscriber.offer(update("live")), "3 KB of replay, and room for a live update still");
        assertEquals(List.of(), host.ends);
        assertTrue(host.releases.isEmpty());
    }

    @Test
    void aWriteThatStaysUnfinishedPastTheDispatchTimeoutEndsTheSubscriberWriteStalledAndAbortsTheConnection() {
        FakeHost host = host(65_536, Duration.ofMillis(100));
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.nextWriteStaysUnfinished();

        subscriber.offer(update("one"));

        Poll.until(Duration.ofSeconds(5), "the dispatch timeout ends it and its end is recorded",
                () -> !host.ends.isEmpty());
        assertTrue(subscriber.isEnded());
        assertEquals(List.of(EndReason.WRITE_STALLED), host.ends);
        assertEquals(1, stream.aborts.get());
        assertNull(stream.misuse);
    }

    @Test
    void aWriteThatFinishesWithinTheDispatchTimeoutKeepsTheSubscriber() {
        FakeHost host = host(65_536, Duration.ofMillis(100));
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.nextWriteStaysUnfinished();
        subscriber.offer(update("one"));
        subscriber.offer(update("two"));

        stream.finishWrite();
        subscriber.onWritable();
        CountDownLatch pastTheTimeout = new CountDownLatch(1);
        host.timer().schedule(Duration.ofMillis(300), pastTheTimeout::countDown);
        Poll.until(Duration.ofSeconds(5), "three dispatch timeouts later", () -> pastTheTimeout.getCount() == 0);

        assertFalse(subscriber.isEnded());
        assertTrue(stream.text().endsWith("data: two\n\n"), "what waited went out once the write finished");
    }

    @Test
    void aWriteThatFailsEndsTheSubscriberWriteFailedAndAbortsTheConnection() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.failWith(new IOException("Broken pipe"));

        subscriber.offer(update("one"));

        assertEquals(List.of(EndReason.WRITE_FAILED), host.ends);
        assertTrue(subscriber.isEnded());
        assertEquals(1, stream.aborts.get());
    }

    @Test
    void anEndThatLeavesNoBytesBehindCompletesTheResponse() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);

        subscriber.end(EndReason.CLIENT_CLOSED);

        assertEquals(1, stream.completions.get());
        assertEquals(0, stream.aborts.get());
    }

    @Test
    void anEndWhileAWriteIsUnfinishedAbortsTheConnectionWhateverTheReason() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.nextWriteStaysUnfinished();
        subscriber.offer(update("one"));

        subscriber.end(EndReason.MAX_LIFETIME);

        assertEquals(1, stream.aborts.get(), "the kernel holds bytes it could not send: an RST drops them");
        assertEquals(0, stream.completions.get());
    }

    @Test
    void anEndTheHubDecidesLeavesItsClientThePositionAndARetryHintAsTheLastBytesBeforeTheResponseCompletes() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        subscriber.offer(update("one"));

        host.endWithCursor(subscriber, EndReason.MAX_LIFETIME, 1_234);

        assertEquals(List.of(EndReason.MAX_LIFETIME), host.ends);
        assertTrue(stream.text().endsWith("data: one\n\nid: " + FakeHost.POSITION + "\nretry: 1234\n\n"),
                stream.text());
        assertEquals(1, stream.completions.get());
        assertEquals(0, stream.aborts.get());
        assertFalse(subscriber.offer(update("two")));
    }

    @Test
    void anEndTheHubDecidesStillEndsOnceWhenItsLastFrameCannotGoOut() {
        FakeHost host = host(65_536, Duration.ofMillis(100));
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.notReady();

        host.endWithCursor(subscriber, EndReason.SERVER_SHUTDOWN, 1_000);

        Poll.until(Duration.ofSeconds(5), "the end, recorded, despite a connection that takes nothing",
                () -> !host.ends.isEmpty());
        assertTrue(subscriber.isEnded());
        assertEquals(1, host.ends.size(), "its own deadline or the stalled write, whichever came first: " + host.ends);
        assertEquals(1, stream.aborts.get(), "its last frame is stuck: aborted");
    }

    @Test
    void aFinWritesTheProbeAndEndsClientClosedOnceTheProbeIsWritten() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);

        subscriber.onInputEnded(System.nanoTime());

        assertEquals(List.of(EndReason.CLIENT_CLOSED), host.ends);
        assertEquals(OPENING + OPENING, stream.text(), "the opening comment, then the probe");
        assertEquals(1, stream.completions.get());
    }

    @Test
    void anInputEndedWhoseProbeFailsIsAnRstAndEndsClientReset() {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        stream.failWith(new IOException("Connection reset by peer"));

        subscriber.onInputEnded(System.nanoTime());

        assertEquals(List.of(EndReason.CLIENT_RESET), host.ends);
        assertEquals(1, stream.aborts.get());
    }

    @Test
    void aThreadThatFindsTheWriterBusyNeverWaitsForItAndTheBusyWriterFinishesTheWork() throws Exception {
        FakeHost host = host();
        FakeStream stream = new FakeStream();
        Subscriber subscriber = host.started(stream);
        CountDownLatch release = new CountDownLatch(1);
        stream.holdNextWrite(release);
        Thread writer = new Thread(() -> subscriber.offer(update("one")), "held-writer");
        writer.start();
        stream.awaitInsideWrite();

        // the writer holds the lock inside the stream; these calls return although it has not let go
        assertTrue(subscriber.offer(update("two")));
        subscriber.heartbeat();
        assertTrue(subscriber.end(EndReason.CLIENT_CLOSED));
        assertEquals(0, stream.completions.get(), "never completed while a write is inside the stream");
        assertEquals(List.of(), host.ends, "the release finishes on the writer's thread");

        release.countDown();
        writer.join(10_000);

        assertEquals(List.of(EndReason.CLIENT_CLOSED), host.ends);
        assertEquals(1, stream.completions.get() + stream.aborts.get());
        assertNull(stream.misuse, "no write after the response ended, none without isReady()");
        assertEquals(0, host.queued.get(), "the frame queued meanwhile was dropped with the rest");
    }
}
