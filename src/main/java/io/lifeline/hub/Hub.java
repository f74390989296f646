package io.lifeline.hub;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.lifeline.auth.Authorizer;
import io.lifeline.metrics.HubMetrics;
import io.lifeline.topic.TopicMatcher;
import io.lifeline.protocol.Update;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Frame;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.subscriber.SubscriberHost;
import io.lifeline.timer.TimerWheel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub: who is subscribed to what, and the path of an update from a publisher to every subscriber it reaches.
 *
 * <p>A publish goes through the {@link Transport}, which orders it and hands it back to {@link #fanOut}: the update
 * is encoded once and its frame queued for each matching, authorized subscriber. Queuing never waits for a
 * subscriber's connection; bytes move on writer threads and the container's own threads.</p>
 */
public final class Hub implements SubscriberHost, AutoCloseable {

    /** The logger of the one INFO line written when a subscriber ends. */
    public static final String END_LOG = "io.lifeline.subscribers";

    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);
    private static final Logger ENDS = LoggerFactory.getLogger(END_LOG);

    private final Limits limits;
    private final Authorizer authorizer;
    private final HubMetrics metrics;
    private final TopicIndex index;
    private final Transport transport;
    private final TimerWheel timer = new TimerWheel(Duration.ofMillis(10), 4096, "lifeline-timer");
    private final ExecutorService writers;
    private final Map<String, Subscriber> live = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private long sequence;

    public Hub(Limits limits, Authorizer authorizer, TopicMatcher matcher, HubMetrics metrics) {
        this.limits = limits;
        this.authorizer = authorizer;
        this.metrics = metrics;
        this.index = new TopicIndex(matcher);
        this.transport = new LocalTransport(this::fanOut);
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.writers = Executors.newFixedThreadPool(threads,
                new ThreadFactoryBuilder().setNameFormat("lifeline-writer-%d").setDaemon(true).build());
    }

    /** Publishes an update to every subscriber it reaches; returns without waiting for any of them. */
    public void publish(Update update) {
        if (stopping) {
            throw new IllegalStateException("the hub is stopping");
        }
        transport.publish(update);
        metrics.updatePublished();
    }

    /**
     * Adds a subscriber to the topic index and starts its timers. From here on it receives every update published,
     * until it ends. A subscriber added while the hub stops ends {@code server-shutdown} at once.
     */
    public void add(Subscriber subscriber) {
        live.put(subscriber.id(), subscriber);
        index.add(subscriber);
        metrics.subscriberStarted(subscriber.watchKind());
        subscriber.start();
        if (stopping) {
            subscriber.end(EndReason.SERVER_SHUTDOWN); // raced with shutdown(), which may not have seen it
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("subscriber {} started topics={} watch={} remote={}", subscriber.id(), subscriber.topics(),
                    subscriber.watchKind(), subscriber.remote());
        }
    }

    private void fanOut(Update update) {
        long seq = ++sequence; // the transport calls this one update at a time
        Frame frame = Frame.of(update);
        index.forEachMatch(update.topics(), subscriber -> {
            if (subscriber.firstOffer(seq) && authorizer.mayReceive(subscriber.claims(), update)) {
                subscriber.offer(frame);
            }
        });
    }

    /** The subscribers connected now. */
    public Collection<Subscriber> subscribers() {
        return Collections.unmodifiableCollection(live.values());
    }

    public Optional<Subscriber> subscriber(String id) {
        return Optional.ofNullable(live.get(id));
    }

    /** Whether the topic index still holds this subscriber anywhere. */
    public boolean isIndexed(Subscriber subscriber) {
        return index.contains(subscriber);
    }

    /** The id of the last update published, or {@code earliest}. */
    public String lastEventId() {
        return transport.lastEventId();
    }

    public boolean isStopping() {
        return stopping;
    }

    public HubMetrics metrics() {
        return metrics;
    }

    /** Ends every subscriber {@code server-shutdown} and refuses new ones. Idempotent. */
    public void shutdown() {
        if (stopping) {
            return;
        }
        stopping = true;
        transport.close();
        for (Subscriber subscriber : new ArrayList<>(live.values())) {
            subscriber.end(EndReason.SERVER_SHUTDOWN);
        }
        LOG.info("hub stopped; every subscriber ended server-shutdown");
    }

    @Override
    public void close() {
        shutdown();
        writers.shutdown();
        try {
            writers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.close();
    }

    // SubscriberHost

    @Override
    public Limits limits() {
        return limits;
    }

    @Override
    public TimerWheel timer() {
        return timer;
    }

    @Override
    public ExecutorService writers() {
        return writers;
    }

    @Override
    public void unindex(Subscriber subscriber) {
        index.remove(subscriber);
        live.remove(subscriber.id(), subscriber);
    }

    @Override
    public void queuedBytes(long delta) {
        metrics.queuedBytes(delta);
    }

    @Override
    public void delivered(Subscriber subscriber) {
        metrics.updateDelivered();
    }

    @Override
    public void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos) {
        long cleanupNanos = releasedNanos - detectedNanos;
        metrics.subscriberEnded(reason, subscriber.watchKind(), subscriber.age(), cleanupNanos);
        ENDS.info("subscriber {} ended reason={} duration={}ms updates={} bytes={} watch={} cleanup={}us remote={}",
                subscriber.id(), reason.label(), subscriber.age().toMillis(), subscriber.updatesSent(),
                subscriber.bytesSent(), subscriber.watchKind(), cleanupNanos / 1000, subscriber.remote());
    }
}
