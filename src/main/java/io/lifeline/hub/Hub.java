package io.lifeline.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.lifeline.auth.Authorizer;
import io.lifeline.metrics.HubMetrics;
import io.lifeline.protocol.EventStream;
import io.lifeline.protocol.Update;
import io.lifeline.protocol.draft07.ActiveSubscriptions;
import io.lifeline.protocol.draft08.MatchParameters;
import io.lifeline.protocol.draft08.SubscriptionEvents;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Frame;
import io.lifeline.subscriber.Heartbeats;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.subscriber.SubscriberHost;
import io.lifeline.timer.TimerWheel;
import io.lifeline.topic.Matcher;
import io.lifeline.topic.TopicMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub: who is subscribed to what, and the path of an update from a publisher to every subscriber it reaches.
 *
 * <p>A publish goes through the {@link Transport}, which orders it, keeps it in the history, and hands it back to
 * {@link #fanOut}: its frame, encoded once, is queued for each matching, authorized subscriber. Queuing never waits
 * for a subscriber's connection; bytes move on writer threads and the container's own threads.</p>
 */
public final class Hub implements SubscriberHost, AutoCloseable {

    /** The logger of the one INFO line written when a subscriber starts and the one written when it ends. */
    public static final String END_LOG = Subscriber.LIFECYCLE_LOG;

    /**
     * The longest one fan-out waits, in all, for writer threads busy with subscribers whose queue is more than half full
     * while their connection takes bytes ({@link Subscriber#offerForBatch}): a publisher faster than the writers is
     * paced by them, by this much at most, and never by a client.
     */
    static final Duration CATCH_UP = Duration.ofMillis(50);

    /** A subscription event's bytes besides its topic and subscriber, for the history's bound before it is encoded. */
    private static final int ANNOUNCEMENT_FIXED_BYTES = 256;

    /** A reconnecting client waits at least this long after a shutdown, plus a random part of the drain. */
    static final Duration RECONNECT_BASE = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);

    /**
     * What a hub is set up with.
     *
     * @param draft07Events            whether subscription events are published in draft-07's shape (JSON-LD on
     *                                 {@code /.well-known/mercure/subscriptions/{topic}/{subscriber}})
     * @param mercure10Events          whether they are published in Mercure 1.0's too
     *                                 ({@link SubscriptionEvents}); a hub that speaks both publishes both
     * @param maxSubscribers           subscribers held at most; zero for no limit
     * @param maxSubscribersPerAddress subscribers one client address may hold; zero for no limit
     */
    public record Config(Limits limits, int historySize, long historyBytes, boolean draft07Events,
                         boolean mercure10Events, Duration drain, int maxSubscribers, int maxSubscribersPerAddress,
                         boolean cursorEvents) {
    }

    private final Config config;
    private final Authorizer authorizer;
    private final TopicMatcher matcher;
    private final HubMetrics metrics;
    private final TopicIndex index;
    private final Transport transport;
    private final TimerWheel timer = new TimerWheel(Duration.ofMillis(10), 4096, "lifeline-timer");
    private final ExecutorService writers;
    private final ExecutorService releases;
    private final Heartbeats heartbeats;
    private final Map<String, Subscriber> live = new ConcurrentHashMap<>();
    private final HubView view;
    /** Told of every start and end, in this order: metrics, the view, log, then those the hub was given. */
    private final List<SubscriberObserver> observers;
    /** Subscribers admitted and not yet ended, and the same by client address. */
    private final AtomicInteger admitted = new AtomicInteger();
    private final Map<String, Integer> admittedByAddress = new ConcurrentHashMap<>();
    private final Object drained = new Object();
    private volatile boolean stopping;

    /**
     * A hub of its own that nobody views: its updates and history in memory, as {@link Config#historySize()} and
     * bytes bound them.
     */
    public Hub(Config config, Authorizer authorizer, TopicMatcher matcher, HubMetrics metrics) {
        this(config, authorizer, matcher, metrics, Transport.inMemory(config.historySize(), config.historyBytes()),
                hub -> HubView.NONE, List.of());
    }

    /**
     * @param transports opens the transport every update goes through, with the hub's {@link Transport.EventHandler}:
     *                   {@link Transport#inMemory} for a hub of its own, the Redis transport for a node of a cluster
     * @param views      makes the hub's view (the live view) once the hub can serve it, at the end of its
     *                   construction; {@code hub -> HubView.NONE} for none
     * @param observers  told of every subscriber's start and end after the hub's own metrics, view and log lines,
     *                   in this order (see {@link SubscriberObserver})
     * @throws RuntimeException what opening the transport threw (a Redis that does not answer)
     */
    public Hub(Config config, Authorizer authorizer, TopicMatcher matcher, HubMetrics metrics,
               Transport.Factory transports, Function<Hub, ? extends HubView> views,
               List<SubscriberObserver> observers) {
        this.config = config;
        this.authorizer = authorizer;
        this.matcher = matcher;
        this.metrics = metrics;
        this.index = new TopicIndex(matcher);
        try {
            this.transport = transports.open(new Transport.EventHandler() {
                @Override
                public void fanOut(Published published) {
                    Hub.this.fanOut(published);
                }

                @Override
                public boolean mayReach(List<String> topics) {
                    return index.mayReach(topics);
                }

                @Override
                public void lostUpdates() {
                    sendAllBack();
                }

                @Override
                public List<Announcement> endAnnouncements(Listing listing) {
                    return announcements(listing, false);
                }
            });
        } catch (RuntimeException e) {
            timer.close();
            throw e;
        }
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.writers = Executors.newFixedThreadPool(threads,
                new ThreadFactoryBuilder().setNameFormat("lifeline-writer-%d").setDaemon(true).build());
        this.releases = Executors.newSingleThreadExecutor(
                new ThreadFactoryBuilder().setNameFormat("lifeline-release-%d").setDaemon(true).build());
        this.heartbeats = new Heartbeats(config.limits().heartbeat(), timer, writers);
        this.view = views.apply(this);
        List<SubscriberObserver> told = new ArrayList<>(List.of(metered(metrics), view, new SubscriberLog()));
        told.addAll(observers);
        this.observers = List.copyOf(told);
    }

    /**
     * Publishes a publisher's update to every subscriber it reaches; returns without waiting for any of them.
     *
     * @throws IllegalStateException while the hub stops
     * @throws HubUnavailableException when the hub is a node of a cluster and Redis does not take the update
     */
    public void publish(Update update) {
        if (stopping) {
            throw new IllegalStateException("the hub is stopping");
        }
        transport.publish(update, false);
        metrics.updatePublished();
    }

    /**
     * Why the hub cannot take publishes and new subscribers now, or null when it can: a node of a cluster whose
     * Redis does not answer. Subscribers already connected stay meanwhile.
     */
    public String unavailable() {
        return transport.unavailable();
    }

    /**
     * Every node of the cluster and how many subscribers it holds, as Redis lists them; empty for a hub of its own.
     *
     * @throws HubUnavailableException when Redis does not answer
     */
    public Map<String, Long> census() {
        return transport instanceof Roster roster ? roster.census() : Map.of();
    }

    /**
     * Sends every subscriber of this node to reconnect, each told where to resume: updates meant for them were lost
     * to this node ({@link Transport.EventHandler#lostUpdates}), and a reconnection gets what the protocol prescribes.
     */
    private void sendAllBack() {
        for (Subscriber subscriber : new ArrayList<>(live.values())) {
            endWithCursor(subscriber, EndReason.HUB_UNAVAILABLE, reconnectMillis());
        }
    }

    /**
     * Admits a new subscriber against the limits on subscribers in total and per client address, or says why not:
     * a refusal meant as "later", which the caller answers so that an EventSource comes back by itself. An admitted
     * subscriber counts until it ends; one that never comes to exist must be {@link #release}d.
     *
     * @param clientAddress the key its client counts under
     * @return null when admitted, else the reason
     */
    public String admit(String clientAddress) {
        int max = config.maxSubscribers();
        if (admitted.incrementAndGet() > max && max > 0) {
            admitted.decrementAndGet();
            metrics.refused("subscribers-limit");
            return hubFull();
        }
        int perAddress = config.maxSubscribersPerAddress();
        if (perAddress > 0) {
            boolean[] full = new boolean[1];
            admittedByAddress.compute(clientAddress, (address, n) -> {
                int held = n == null ? 0 : n;
                full[0] = held >= perAddress;
                return full[0] ? n : held + 1;
            });
            if (full[0]) {
                admitted.decrementAndGet();
                metrics.refused("address-limit");
                return addressFull(clientAddress);
            }
        }
        return null;
    }

    /**
     * What {@link #admit} would answer now, without admitting or counting anything: for a {@code HEAD}, which is
     * answered as its {@code GET} would be and creates no subscriber.
     */
    public String wouldRefuse(String clientAddress) {
        int max = config.maxSubscribers();
        if (max > 0 && admitted.get() >= max) {
            return hubFull();
        }
        int perAddress = config.maxSubscribersPerAddress();
        if (perAddress > 0 && admittedByAddress.getOrDefault(clientAddress, 0) >= perAddress) {
            return addressFull(clientAddress);
        }
        return null;
    }

    private String hubFull() {
        return "the hub holds as many subscribers as it may (LIFELINE_MAX_SUBSCRIBERS=" + config.maxSubscribers() + ")";
    }

    private String addressFull(String clientAddress) {
        return clientAddress + " holds as many subscribers as one address may (LIFELINE_MAX_SUBSCRIBERS_PER_ADDRESS="
                + config.maxSubscribersPerAddress() + ")";
    }

    /**
     * Gives back what {@link #admit} counted, for a subscriber that has ended or never came to exist. A stopping hub
     * is drained once the last is given back.
     */
    public void release(String clientAddress) {
        int left = admitted.decrementAndGet();
        if (config.maxSubscribersPerAddress() > 0) {
            admittedByAddress.computeIfPresent(clientAddress, (address, n) -> n <= 1 ? null : n - 1);
        }
        if (stopping && left <= 0) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /**
     * Adds a subscriber: replays what it missed, announces its subscriptions, gives it its cursor (the hub's
     * position, as an id-only block), lists it and puts it in the topic index, with no update lost or repeated
     * between the replay and the live stream. A publisher that answers the announcement (or a listing of the
     * subscriptions API) with an update for the new subscriber reaches it; the subscriber is not sent its own
     * announcement, as with the reference hub. A subscriber added while the hub stops is sent away at once, like
     * the others: told where to resume and when to come back, then ended {@code server-shutdown}.
     *
     * @param lastEventId the last update the client has seen, {@code earliest}, or null when it asks for no replay
     * @return the id of the update the replay follows, for the {@code Last-Event-ID} response header
     */
    public String add(Subscriber subscriber, String lastEventId) {
        List<Matcher> matchers = subscriber.matchers();
        String preceding;
        String unreachable = null;
        try {
            Listing listing = listing(subscriber);
            preceding = transport.connect(lastEventId, listing, announcements(listing, true), published -> {
                // the topics first: a subscription event nobody reads is never built
                if (matcher.anyTopicMatches(matchers, published.topics()) && authorizer.mayReceive(
                        subscriber.claims(), published.privateUpdate(), published.topics())) {
                    subscriber.offerReplay(published.frame());
                }
            }, (position, sequence) -> {
                if (config.cursorEvents()) {
                    subscriber.offerCursor(position);
                }
                subscriber.joinAfter(sequence);
                live.put(subscriber.id(), subscriber);
                index.add(subscriber);
            });
        } catch (HubUnavailableException e) {
            // Redis stopped answering since the caller checked, or could not give the subscriber its place: sent
            // away with where it stands, nothing replayed. Redis may have taken its start all the same: its end
            // is announced (once, and only if its start was), now or once Redis answers.
            unreachable = e.getMessage();
            preceding = lastEventId == null ? Transport.EARLIEST : lastEventId;
            announceEnd(subscriber);
        }
        String resumingFrom = lastEventId;
        tell(observer -> observer.started(subscriber, resumingFrom), subscriber);
        if (unreachable != null) {
            LOG.debug("subscriber {} sent to reconnect: {}", subscriber.id(), unreachable);
            boolean resumable = lastEventId != null && EventStream.canBeId(lastEventId);
            String cursor = resumable ? lastEventId : transport.position();
            subscriber.endAfterWriting(Frame.resumeAt(cursor, reconnectMillis()), EndReason.HUB_UNAVAILABLE,
                    config.limits().dispatchTimeout());
            return preceding;
        }
        subscriber.start();
        if (stopping) {
            // raced with shutdown(), which may not have seen it: sent away like the others, with where to resume
            endWithCursor(subscriber, EndReason.SERVER_SHUTDOWN, reconnectMillis());
        }
        return preceding;
    }

    private void fanOut(Published published) {
        List<String> topics = published.topics();
        boolean privateUpdate = published.privateUpdate();
        WriteBatches batches = new WriteBatches(writers);
        long catchUpUntil = System.nanoTime() + CATCH_UP.toNanos();
        index.forEachMatch(topics, subscriber -> {
            // the frame is asked for only once someone receives it: a subscription event nobody reads is never built
            if (subscriber.firstOffer(published.sequence())
                    && authorizer.mayReceive(subscriber.claims(), privateUpdate, topics)
                    && subscriber.offerForBatch(published.frame(), catchUpUntil)) {
                batches.add(subscriber);
            }
        });
        batches.flush();
    }

    /**
     * The private subscription events of a subscriber that starts or ends, in each shape the hub publishes: none when
     * they are turned off. A 1.0 observer is shown a draft-07 selector as the 1.0 matcher it is equivalent to: an
     * exact one (and {@code *}) as {@code exact}; a URI template has no 1.0 equivalent here yet, and no 1.0 event.
     */
    private List<Announcement> announcements(Listing listing, boolean active) {
        if (!config.draft07Events() && !config.mercure10Events()) {
            return List.of();
        }
        List<Announcement> events = new ArrayList<>(2 * listing.subscriptions().size());
        String subscriber = listing.subscriber();
        for (Listing.Subscription s : listing.subscriptions()) {
            // what a document weighs besides its topic and subscriber: its fields' names, "true", the SSE framing
            int weight = 2 * (s.value().length() + subscriber.length()) + ANNOUNCEMENT_FIXED_BYTES;
            if (config.draft07Events()) {
                String topic = ActiveSubscriptions.id(s.value(), subscriber);
                events.add(new Announcement(List.of(topic), weight + topic.length(),
                        id -> ActiveSubscriptions.event(id, s.value(), subscriber, s.payload(), active)));
            }
            if (config.mercure10Events() && s.mercure10Type() != null) {
                String topic = SubscriptionEvents.topic(s.mercure10Type(), s.value(), subscriber);
                events.add(new Announcement(List.of(topic), weight + topic.length(),
                        id -> SubscriptionEvents.event(id, s.mercure10Type(), s.value(), subscriber, s.payload(),
                                active)));
            }
        }
        return events;
    }

    /** A subscriber as the subscriptions API lists it and its subscription events show it. */
    private Listing listing(Subscriber subscriber) {
        List<Listing.Subscription> subscriptions = new ArrayList<>(subscriber.matchers().size());
        for (Matcher m : subscriber.matchers()) {
            subscriptions.add(new Listing.Subscription(m.value(), mercure10MatchType(m),
                    payload(subscriber, m.value())));
        }
        return new Listing(subscriber.id(), subscriptions);
    }

    /**
     * Every subscriber the subscriptions API lists (of every node, in a cluster), with the id of the last update
     * published when the list was taken.
     *
     * @throws HubUnavailableException when the hub is a node of a cluster and Redis does not answer
     */
    public Subscriptions subscriptions() {
        if (transport instanceof Roster roster) {
            return roster.subscriptions();
        }
        String lastEventId = transport.lastEventId(); // this node's subscribers: they are all there is
        List<Listing> listings = new ArrayList<>(live.size());
        for (Subscriber s : live.values()) {
            listings.add(listing(s));
        }
        return new Subscriptions(lastEventId, listings);
    }

    /**
     * The Mercure 1.0 matcher type a subscription is shown to 1.0 observers as, in its events and the subscriptions
     * API: {@code exact} for a 1.0 exact matcher, and for a draft-07 selector that is an exact topic or {@code *};
     * null for a URI template, which has no 1.0 equivalent here yet.
     */
    public String mercure10MatchType(Matcher m) {
        return m.isWildcard() || matcher.isExact(m) ? MatchParameters.EXACT_TYPE : null;
    }

    /**
     * The payload a subscriber's token gives one of its subscriptions, shown in subscription events and the
     * subscriptions API: a draft-07 token's {@code mercure.payload} for all, a 1.0 token's per subscription
     * ({@link io.lifeline.auth.Claims#payloadFor}).
     *
     * @param subscription the value of one of the subscriber's matchers
     * @return the payload, or null for none
     */
    public JsonNode payload(Subscriber subscriber, String subscription) {
        return subscriber.claims() == null ? null : subscriber.claims().payloadFor(subscription, matcher);
    }

    /** Publishes the private subscription events of a subscriber that ended. */
    private void announceEnd(Subscriber subscriber) {
        try {
            transport.disconnect(subscriber.id(), announcements(listing(subscriber), false));
        } catch (IllegalStateException stopped) {
            LOG.debug("subscription event of {} not published: the hub has stopped", subscriber.id());
        } catch (HubUnavailableException e) {
            metrics.subscriptionEventLost();
            LOG.warn("subscription event of {}'s end not published: {}", subscriber.id(), e.getMessage());
        }
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

    /**
     * The hub's current position as an SSE id (see {@link Position}): a client that resumes from it gets everything
     * published from now on.
     */
    public String position() {
        return transport.position();
    }

    /**
     * How long a client told to come back later waits: 1 s plus a random part of the drain, so that clients sent
     * away together do not return together.
     */
    public long reconnectMillis() {
        return RECONNECT_BASE.toMillis() + ThreadLocalRandom.current().nextLong(config.drain().toMillis() + 1);
    }

    public boolean isStopping() {
        return stopping;
    }

    public HubMetrics metrics() {
        return metrics;
    }

    /**
     * Stops the hub: refuses new subscribers and updates, and ends every subscriber {@code server-shutdown}, spread
     * at random over the drain, each told first where to resume and, by a {@code retry:} field, to wait a random
     * while before it reconnects, so that reconnections reach the other nodes as a trickle, not a storm. Returns
     * once every subscriber has ended, also when another thread started the shutdown (a container's stop hook, then
     * its {@code contextDestroyed}). Idempotent.
     */
    public void shutdown() {
        boolean first;
        synchronized (drained) {
            first = !stopping;
            stopping = true;
        }
        if (!first) {
            awaitDrained(config.drain().plus(config.limits().dispatchTimeout()).plusSeconds(1));
            return;
        }
        List<Subscriber> subscribers = new ArrayList<>(live.values());
        long drainNanos = config.drain().toNanos();
        long started = System.nanoTime();
        for (Subscriber subscriber : subscribers) {
            Duration at = Duration.ofNanos(drainNanos == 0 ? 0 : ThreadLocalRandom.current().nextLong(drainNanos));
            long reconnectMillis = reconnectMillis();
            timer.schedule(at, () -> endWithCursor(subscriber, EndReason.SERVER_SHUTDOWN, reconnectMillis));
        }
        awaitDrained(config.drain().plus(config.limits().dispatchTimeout()).plusSeconds(1));
        for (Subscriber subscriber : new ArrayList<>(live.values())) {
            subscriber.end(EndReason.SERVER_SHUTDOWN);
        }
        view.close();
        transport.close();
        LOG.info("hub stopped: drained {} over {} ms", subscribers.size() == 1 ? "1 subscriber"
                : subscribers.size() + " subscribers", Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private void awaitDrained(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (drained) {
            long left;
            while (admitted.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    drained.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        shutdown();
        heartbeats.stop();
        writers.shutdown();
        releases.shutdown();
        try {
            writers.awaitTermination(5, TimeUnit.SECONDS);
            releases.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.close();
    }

    // SubscriberHost

    @Override
    public Limits limits() {
        return config.limits();
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
    public ExecutorService releases() {
        return releases;
    }

    @Override
    public Heartbeats heartbeats() {
        return heartbeats;
    }

    @Override
    public void endWithCursor(Subscriber subscriber, EndReason reason, long retryMillis) {
        transport.atPosition(position -> subscriber.endAfterWriting(Frame.resumeAt(position, retryMillis), reason,
                config.limits().dispatchTimeout()));
    }

    @Override
    public void unindex(Subscriber subscriber) {
        index.remove(subscriber);
        if (live.remove(subscriber.id(), subscriber)) {
            announceEnd(subscriber);
        }
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
        try {
            tell(observer -> observer.ended(subscriber, reason, detectedNanos, releasedNanos), subscriber);
        } finally {
            release(subscriber.clientAddress()); // last: a stopping hub is drained once every end line is written
        }
    }

    /** Tells every observer, in order; one that throws is logged and passed over (see {@link SubscriberObserver}). */
    private void tell(Consumer<SubscriberObserver> event, Subscriber subscriber) {
        for (SubscriberObserver observer : observers) {
            try {
                event.accept(observer);
            } catch (Throwable e) {
                LOG.warn("subscriber {}: {} failed; the others are told all the same", subscriber.id(), observer, e);
            }
        }
    }

    /** The hub's metrics as an observer of starts and ends. */
    private static SubscriberObserver metered(HubMetrics metrics) {
        return new SubscriberObserver() {
            @Override
            public void started(Subscriber subscriber, String lastEventId) {
                metrics.subscriberStarted(subscriber.watchKind());
            }

            @Override
            public void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos) {
                metrics.subscriberEnded(reason, subscriber.watchKind(), subscriber.age(), releasedNanos - detectedNanos);
            }

            @Override
            public String toString() {
                return "the hub's metrics";
            }
        };
    }

    /** Its observers in the order they are told: for a test that pins the order. */
    List<SubscriberObserver> observers() {
        return observers;
    }
}
