package io.lifeline.subscriber;

import io.lifeline.timer.TimerWheel;
import io.lifeline.topic.Matcher;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hub in miniature for one test: a real timer wheel, heartbeat rounds too far apart to interfere, writers that run
 * on the thread that asks for them (so that a test knows what has been written when a call returns), a release
 * thread the test runs by hand, and a record of every call a subscriber makes on its host.
 */
final class FakeHost implements SubscriberHost, AutoCloseable {

    /** The position an end the hub decides names, as the real hub's would. */
    static final String POSITION = "urn:lifeline:position:test-7";

    private final TimerWheel timer = new TimerWheel(Duration.ofMillis(10), 512, "fake-host-timer");
    private final Heartbeats heartbeats = new Heartbeats(Duration.ofHours(1), timer, Runnable::run);
    private final Limits limits;
    /** Tasks given to the release thread, run by {@link #runReleases()}. */
    final Queue<Runnable> releases = new ConcurrentLinkedQueue<>();
    final AtomicInteger unindexed = new AtomicInteger();
    final AtomicLong queued = new AtomicLong();
    final AtomicInteger delivered = new AtomicInteger();
    final List<EndReason> ends = new CopyOnWriteArrayList<>();

    FakeHost(long queueBytes, Duration dispatchTimeout) {
        this.limits = new Limits(Duration.ofHours(1), dispatchTimeout, queueBytes, Duration.ZERO, Duration.ZERO);
    }

    /** A subscriber of topic {@code t} on {@code stream}, started, its stream writable. */
    Subscriber started(FakeStream stream) {
        Subscriber subscriber = new Subscriber("urn:test", Matcher.selectors(List.of("t")), null, "remote", "client",
                stream, this);
        subscriber.start();
        subscriber.onWritable();
        return subscriber;
    }

    /** Runs what was handed to the release thread, on the calling thread; returns how many tasks ran. */
    int runReleases() {
        int ran = 0;
        Runnable task;
        while ((task = releases.poll()) != null) {
            task.run();
            ran++;
        }
        return ran;
    }

    @Override
    public Limits limits() {
        return limits;
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
    public Executor writers() {
        return Runnable::run;
    }

    @Override
    public Executor releases() {
        return releases::add;
    }

    /** As the hub does: the position, a retry hint, then the end once they have gone out, or a dispatch timeout later. */
    @Override
    public void endWithCursor(Subscriber subscriber, EndReason reason, long retryMillis) {
        subscriber.endAfterWriting(Frame.resumeAt(POSITION, retryMillis), reason, limits.dispatchTimeout());
    }

    @Override
    public void unindex(Subscriber subscriber) {
        unindexed.incrementAndGet();
    }

    @Override
    public void queuedBytes(long delta) {
        queued.addAndGet(delta);
    }

    @Override
    public void delivered(Subscriber subscriber) {
        delivered.incrementAndGet();
    }

    @Override
    public void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos) {
        ends.add(reason);
    }

    @Override
    public void close() {
        heartbeats.stop();
        timer.close();
    }
}
