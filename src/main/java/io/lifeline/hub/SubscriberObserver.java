package io.lifeline.hub;

import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;

/**
 * Told of every subscriber's start and end by the hub that holds it: metrics, the live view, the log, and whatever
 * else a hub is given (a webhook, a tracer).
 *
 * <p>The hub tells its observers in a fixed order: its metrics, its live feed, its log lines, then those it was given,
 * in the order given. Each is isolated: one that throws is logged and passed over, the others are still told, and
 * the subscriber's release (the hub's count of admitted subscribers, which a stopping hub drains on) still happens,
 * last. An observer runs on the thread that started or ended the subscriber (a request thread, a departure watch, a
 * writer, the timer): it must not block.</p>
 */
public interface SubscriberObserver {

    /**
     * A subscriber was accepted: listed, indexed and given its replay, or, where the hub could not serve it, about to
     * be sent away with its cursor.
     *
     * @param lastEventId what the client asked to resume from, or null when it asked for no replay
     */
    void started(Subscriber subscriber, String lastEventId);

    /**
     * A subscriber ended and has released everything it held.
     *
     * @param detectedNanos  {@link System#nanoTime()} when its end was noticed
     * @param releasedNanos  {@link System#nanoTime()} when everything it held had been released
     */
    void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos);
}
