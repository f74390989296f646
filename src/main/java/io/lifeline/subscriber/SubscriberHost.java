package io.lifeline.subscriber;

import io.lifeline.timer.TimerWheel;
import java.time.Duration;
import java.util.concurrent.Executor;

/** What a subscriber needs from the hub that holds it. */
public interface SubscriberHost {

    /**
     * Per-subscriber bounds, the same for every subscriber of a hub.
     *
     * @param watchedLifetime   the longest a subscriber a departure watch guards stays connected; zero: unbounded
     * @param unwatchedLifetime the same for a subscriber no watch guards, which only heartbeats would notice leaving
     */
    record Limits(Duration heartbeat, Duration dispatchTimeout, long queueBytes, Duration watchedLifetime,
                  Duration unwatchedLifetime) {
    }

    Limits limits();

    /** The one timer for deadlines. */
    TimerWheel timer();

    /** The rounds that write every subscriber's heartbeat. */
    Heartbeats heartbeats();

    /** Threads that write queued frames: a publisher only queues. */
    Executor writers();

    /**
     * The thread that ends subscribers whose queue overflowed while someone else queued (a publisher, usually): not
     * a writer, so that ending many at once delays no write to a subscriber that keeps up, and not the one who
     * overflowed the queue, who returns at once.
     */
    Executor releases();

    /**
     * Ends the subscriber once its client has been told where to resume: an id-only block naming the hub's position
     * at this moment, taken in the order of publishing so that no update is on both sides of it, with a
     * {@code retry:} hint of {@code retryMillis} unless negative. For the ends the hub decides.
     */
    void endWithCursor(Subscriber subscriber, EndReason reason, long retryMillis);

    /** Release step 1: remove the subscriber from the topic index and the list of subscriptions. */
    void unindex(Subscriber subscriber);

    /** Bytes queued for some subscriber grew (positive) or shrank (negative). */
    void queuedBytes(long delta);

    /** An update was written to a subscriber's connection. */
    void delivered(Subscriber subscriber);

    /** The last release step: count the end and log it. */
    void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos);
}
