package io.lifeline.live;

import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Frame;
import io.lifeline.subscriber.Heartbeats;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.subscriber.SubscriberHost;
import io.lifeline.timer.TimerWheel;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the live view's viewers: the hub's limits, timer and writers, and the feed in place of the topic index. A
 * viewer ends like any subscriber, through its one door out, and is logged on the subscribers' logger as a viewer.
 */
final class ViewerHost implements SubscriberHost {

    /** The cursor a viewer is left with: a viewer that comes back gets a fresh snapshot, whatever it names. */
    private static final String NO_CURSOR = "live";
    private static final Logger ENDS = LoggerFactory.getLogger(Subscriber.LIFECYCLE_LOG);

    private final SubscriberHost hub;
    private final LiveFeed feed;

    ViewerHost(SubscriberHost hub, LiveFeed feed) {
        this.hub = hub;
        this.feed = feed;
    }

    @Override
    public Limits limits() {
        return hub.limits();
    }

    @Override
    public TimerWheel timer() {
        return hub.timer();
    }

    @Override
    public Executor writers() {
        return hub.writers();
    }

    @Override
    public Executor releases() {
        return hub.releases();
    }

    @Override
    public Heartbeats heartbeats() {
        return hub.heartbeats();
    }

    @Override
    public void endWithCursor(Subscriber viewer, EndReason reason, long retryMillis) {
        viewer.endAfterWriting(Frame.resumeAt(NO_CURSOR, retryMillis), reason, hub.limits().dispatchTimeout());
    }

    @Override
    public void unindex(Subscriber viewer) {
        feed.removeViewer(viewer);
    }

    @Override
    public void queuedBytes(long delta) {
        hub.queuedBytes(delta);
    }

    @Override
    public void delivered(Subscriber viewer) {
        // the live view's events are not updates
    }

    @Override
    public void ended(Subscriber viewer, EndReason reason, long detectedNanos, long releasedNanos) {
        feed.releaseViewer();
        feed.viewerEnded(viewer, reason, detectedNanos, releasedNanos);
        ENDS.info("live viewer {} ended reason={} watch={} duration={}ms release={}us remote={}", viewer.id(),
                reason.label(), viewer.watchKind(), viewer.age().toMillis(), (releasedNanos - detectedNanos) / 1000,
                viewer.remote());
    }
}
