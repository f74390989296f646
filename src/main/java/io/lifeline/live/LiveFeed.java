package io.lifeline.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeline.hub.HubView;
import io.lifeline.metrics.HubMetrics;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Frame;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.subscriber.SubscriberHost;
import io.lifeline.timer.TimerWheel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the live page shows, fed by the hub as subscribers start and end: the subscribers connected now, the
 * departures as they happen, counters by reason, and how many were connected each second of the last five minutes.
 *
 * <p>Viewers are event streams like any subscriber's (one state machine, one door out, the same departure watches),
 * held here instead of in the topic index. They are listed with the subscribers and their departures shown with
 * theirs, marked {@code "viewer": true}, so that closing a tab that only shows this page shows too; the counters
 * count the hub's subscribers alone, as {@code /metrics} does. Each gets a {@code snapshot} event when it connects, then a {@code tick}
 * event every {@link #TICK} while anything changed, and a {@code demonstration} event at each step of an F5
 * demonstration. Every viewer gets the same frame, built once per tick on a writer thread.</p>
 *
 * <p>Built for thousands of subscribers without freezing a page: the counters count every start and end, but a
 * tick lists at most {@link #LISTED_PER_TICK} starts and as many departures (the rest are counted as not listed),
 * and the list of connected subscribers holds the {@link #LISTED_SUBSCRIBERS} newest, refreshed at most once a
 * second. Recording a start or an end costs a queue offer; nothing is built while no viewer is connected.</p>
 */
public final class LiveFeed implements HubView {

    /** How often viewers hear what changed. */
    public static final Duration TICK = Duration.ofMillis(250);
    /** Starts, and departures, listed one by one per tick at most. */
    public static final int LISTED_PER_TICK = 50;
    /** Connected subscribers listed at most: the newest. */
    public static final int LISTED_SUBSCRIBERS = 100;
    /** Departures a new viewer sees from before it connected. */
    public static final int RECENT_DEPARTURES = 50;
    /** Seconds of the number connected a new viewer sees. */
    public static final int SERIES_SECONDS = 300;
    /** Viewers connected at once at most. */
    public static final int MAX_VIEWERS = 32;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LIFECYCLE = LoggerFactory.getLogger(Subscriber.LIFECYCLE_LOG);
    private static final int TICKS_PER_SECOND = (int) (1000 / TICK.toMillis());

    private final SubscriberHost hub;
    private final Supplier<Collection<Subscriber>> connected;
    private volatile ObjectNode settings = JSON.createObjectNode();
    private final ViewerHost viewerHost;

    private final Set<Subscriber> viewers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger admittedViewers = new AtomicInteger();
    private final HubMetrics metrics;
    private final Queue<Subscriber> pendingStarts = new ConcurrentLinkedQueue<>();
    private final Queue<DepartureRow> pendingDepartures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingStartCount = new AtomicInteger();
    private final AtomicInteger pendingDepartureCount = new AtomicInteger();
    private final AtomicLong startsNotListed = new AtomicLong();
    private final AtomicLong departuresNotListed = new AtomicLong();
    private final Map<Integer, CompletableFuture<Subscriber>> awaitedStarts = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<DepartureRow>> awaitedEnds = new ConcurrentHashMap<>();

    /** Touched by the tick only (one at a time), and by snapshots under this lock. */
    private final Object state = new Object();
    private final Deque<DepartureRow> recent = new ArrayDeque<>();
    private final Deque<long[]> series = new ArrayDeque<>();
    private long ticks;
    private boolean listChanged = true;
    private volatile boolean closed;
    private volatile TimerWheel.Timeout nextTick;

    private final String node;
    private final Supplier<Map<String, Long>> cluster;

    /**
     * @param connected the hub's subscribers connected now
     * @param metrics   the hub's counters, which the view shows as they are: {@code /metrics} and the page agree
     */
    public LiveFeed(SubscriberHost hub, Supplier<Collection<Subscriber>> connected, HubMetrics metrics) {
        this(hub, connected, metrics, null, Map::of);
    }

    /**
     * @param connected the hub's subscribers connected now
     * @param metrics   the hub's counters, which the view shows as they are: {@code /metrics} and the page agree
     * @param node      this node's name in a cluster, or null for a hub of its own
     * @param cluster   every node of the cluster and its subscribers (the view's cluster panel), read once a
     *                  second while someone watches
     */
    public LiveFeed(SubscriberHost hub, Supplier<Collection<Subscriber>> connected, HubMetrics metrics, String node,
                    Supplier<Map<String, Long>> cluster) {
        this.hub = hub;
        this.connected = connected;
        this.metrics = metrics;
        this.node = node;
        this.cluster = cluster;
        this.viewerHost = new ViewerHost(hub, this);
        scheduleTick();
    }

    /**
     * What a new viewer is told about this hub, in its snapshot's {@code hub} object: the watches, the heartbeat,
     * whether the F5 demonstration is on.
     */
    public void describeHub(ObjectNode description) {
        this.settings = description.deepCopy();
    }

    /** A subscriber started (the hub's metrics count it): listed to viewers at the next tick. */
    @Override
    public void started(Subscriber subscriber, String lastEventId) {
        if (!awaitedStarts.isEmpty()) {
            CompletableFuture<Subscriber> awaited = awaitedStarts.remove(loopbackPort(subscriber.remote()));
            if (awaited != null) {
                awaited.complete(subscriber);
            }
        }
        listStart(subscriber);
    }

    private void listStart(Subscriber subscriber) {
        if (pendingStartCount.incrementAndGet() <= LISTED_PER_TICK) {
            pendingStarts.add(subscriber);
        } else {
            pendingStartCount.decrementAndGet();
            startsNotListed.incrementAndGet();
        }
    }

    /** A subscriber ended and released everything (the hub's metrics count it): listed at the next tick. */
    @Override
    public void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos) {
        list(departure(subscriber, reason, detectedNanos, releasedNanos, false));
    }

    /** A viewer ended and released everything: listed to the other viewers at the next tick, not counted. */
    void viewerEnded(Subscriber viewer, EndReason reason, long detectedNanos, long releasedNanos) {
        list(departure(viewer, reason, detectedNanos, releasedNanos, true));
    }

    private static DepartureRow departure(Subscriber subscriber, EndReason reason, long detectedNanos,
                                       long releasedNanos, boolean viewer) {
        return new DepartureRow(subscriber.id(), subscriber.topics(), reason.label(), subscriber.watchKind(),
                subscriber.remote(), Instant.now(), Math.max(0, releasedNanos - detectedNanos) / 1000,
                subscriber.age().toMillis(), subscriber.updatesSent(), viewer);
    }

    private void list(DepartureRow departure) {
        String subscriberId = departure.id();
        if (!awaitedEnds.isEmpty()) {
            CompletableFuture<DepartureRow> awaited = awaitedEnds.remove(subscriberId);
            if (awaited != null) {
                awaited.complete(departure);
            }
        }
        if (pendingDepartureCount.incrementAndGet() <= LISTED_PER_TICK) {
            pendingDepartures.add(departure);
        } else {
            pendingDepartureCount.decrementAndGet();
            departuresNotListed.incrementAndGet();
        }
    }

    /**
     * Completes with the subscriber the hub starts for a connection from the given loopback port: how the F5
     * demonstration finds the subscriber its relay's connection became.
     */
    public CompletableFuture<Subscriber> awaitStart(int loopbackPort) {
        return awaitedStarts.computeIfAbsent(loopbackPort, p -> new CompletableFuture<>());
    }

    /** Completes with the subscriber's departure once it has released everything. */
    public CompletableFuture<DepartureRow> awaitEnd(String subscriberId) {
        return awaitedEnds.computeIfAbsent(subscriberId, id -> new CompletableFuture<>());
    }

    /** Stops waiting for a start or an end that no longer matters. */
    public void forget(int loopbackPort, String subscriberId) {
        awaitedStarts.remove(loopbackPort);
        if (subscriberId != null) {
            awaitedEnds.remove(subscriberId);
        }
    }

    /** Sends every viewer an event at once, outside the ticks: a step of the F5 demonstration. */
    public void announce(String type, ObjectNode data) {
        Frame frame = Frame.event(type, data.toString());
        viewers.forEach(viewer -> viewer.offer(frame));
    }

    /**
     * Counts a new viewer, or says why not: the hub holds {@link #MAX_VIEWERS} already, or is stopping. A viewer
     * counted here must reach {@link #addViewer}, or be given back with {@link #releaseViewer}.
     *
     * @return null when admitted, else the reason
     */
    public String admitViewer() {
        if (closed) {
            return "the hub is stopping";
        }
        if (admittedViewers.incrementAndGet() > MAX_VIEWERS) {
            admittedViewers.decrementAndGet();
            return "the live view has as many viewers as it may (" + MAX_VIEWERS + ")";
        }
        return null;
    }

    /** Gives back what {@link #admitViewer} counted. */
    public void releaseViewer() {
        admittedViewers.decrementAndGet();
    }

    /** What a viewer's subscriber is hosted by: the hub's timer and writers, and this feed instead of the index. */
    public SubscriberHost viewerHost() {
        return viewerHost;
    }

    /** Adds an admitted viewer: queues its snapshot and starts its timers. */
    public void addViewer(Subscriber viewer) {
        LIFECYCLE.info("live viewer {} started watch={} remote={}", viewer.id(), viewer.watchKind(), viewer.remote());
        ObjectNode snapshot = snapshot();
        snapshot.put("viewers", viewers.size() + 1); // itself included; it joins the others once this is queued
        viewer.offer(Frame.event("snapshot", snapshot.toString()));
        viewers.add(viewer);
        listStart(viewer);
        viewer.start();
        if (closed) {
            viewer.end(EndReason.SERVER_SHUTDOWN);
        }
    }

    void removeViewer(Subscriber viewer) {
        viewers.remove(viewer);
    }

    /** Viewers connected now. */
    public int viewers() {
        return viewers.size();
    }

    /** Everything a new viewer needs: settings, counters, the series, the newest subscribers, recent departures. */
    ObjectNode snapshot() {
        ObjectNode node = JSON.createObjectNode();
        node.put("at", System.currentTimeMillis());
        node.set("hub", settings);
        Collection<Subscriber> now = connected.get();
        node.put("connected", now.size());
        counters(node);
        synchronized (state) {
            ArrayNode points = node.putArray("series");
            series.forEach(point -> points.addArray().add(point[0]).add(point[1]));
            ArrayNode departures = node.putArray("departures");
            recent.forEach(departure -> departures.add(json(departure)));
        }
        node.set("subscribers", newest(now, viewers));
        putCluster(node);
        return node;
    }

    /**
     * The cluster panel: this node's name and every node's subscribers ({@code cluster}), for a node of a cluster;
     * nothing for a hub of its own, or while Redis does not answer.
     */
    private void putCluster(ObjectNode node) {
        if (this.node == null) {
            return;
        }
        ObjectNode panel = node.putObject("cluster");
        panel.put("self", this.node);
        ObjectNode nodes = panel.putObject("nodes");
        try {
            cluster.get().forEach(nodes::put);
        } catch (RuntimeException unavailable) {
            panel.put("unavailable", String.valueOf(unavailable.getMessage()));
        }
    }

    private void counters(ObjectNode node) {
        node.put("started", metrics.startedTotal());
        ObjectNode byReason = node.putObject("ended");
        for (EndReason reason : EndReason.values()) {
            byReason.put(reason.label(), metrics.ended(reason));
        }
        node.put("viewers", viewers.size());
    }

    private void scheduleTick() {
        if (closed) {
            return;
        }
        nextTick = hub.timer().schedule(TICK, () -> {
            try {
                hub.writers().execute(() -> {
                    try {
                        tick();
                    } finally {
                        scheduleTick();
                    }
                });
            } catch (RejectedExecutionException stopping) {
                closed = true;
            }
        });
    }

    /** Runs on one writer thread at a time: the next tick is scheduled once this one is over. */
    private void tick() {
        List<Subscriber> starts = drain(pendingStarts, pendingStartCount);
        List<DepartureRow> departures = drain(pendingDepartures, pendingDepartureCount);
        long startsUnlisted = startsNotListed.getAndSet(0);
        long departuresUnlisted = departuresNotListed.getAndSet(0);
        boolean secondBoundary;
        synchronized (state) {
            for (DepartureRow departure : departures) {
                recent.addFirst(departure);
                if (recent.size() > RECENT_DEPARTURES) {
                    recent.removeLast();
                }
            }
            listChanged |= !starts.isEmpty() || !departures.isEmpty() || startsUnlisted + departuresUnlisted > 0;
            secondBoundary = ticks++ % TICKS_PER_SECOND == 0;
        }
        long connectedNow = connected.get().size();
        long[] point = null;
        if (secondBoundary) {
            point = new long[] {System.currentTimeMillis(), connectedNow};
            synchronized (state) {
                series.addLast(point);
                if (series.size() > SERIES_SECONDS) {
                    series.removeFirst();
                }
            }
        }
        if (viewers.isEmpty()) {
            return;
        }
        boolean changed = !starts.isEmpty() || !departures.isEmpty() || startsUnlisted + departuresUnlisted > 0;
        if (!changed && point == null) {
            return;
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("at", System.currentTimeMillis());
        node.put("connected", connectedNow);
        counters(node);
        ArrayNode startList = node.putArray("starts");
        starts.forEach(subscriber -> startList.add(json(subscriber)));
        node.put("startsNotListed", startsUnlisted);
        ArrayNode departureList = node.putArray("departures");
        departures.forEach(departure -> departureList.add(json(departure)));
        node.put("departuresNotListed", departuresUnlisted);
        if (point != null) {
            node.putArray("point").add(point[0]).add(point[1]);
            putCluster(node);
            boolean refresh;
            synchronized (state) {
                refresh = listChanged;
                listChanged = false;
            }
            if (refresh) {
                node.set("subscribers", newest(connected.get(), viewers));
            }
        }
        Frame frame = Frame.event("tick", node.toString());
        viewers.forEach(viewer -> viewer.offer(frame));
    }

    private static <T> List<T> drain(Queue<T> queue, AtomicInteger count) {
        List<T> drained = new ArrayList<>();
        for (T item; (item = queue.poll()) != null; ) {
            drained.add(item);
            count.decrementAndGet();
        }
        return drained;
    }

    /** The {@link #LISTED_SUBSCRIBERS} newest of the connected subscribers and viewers, newest first. */
    private ArrayNode newest(Collection<Subscriber> subscribers, Collection<Subscriber> viewing) {
        Comparator<Subscriber> byStart = Comparator.comparing(Subscriber::startedAt);
        PriorityQueue<Subscriber> newest = new PriorityQueue<>(LISTED_SUBSCRIBERS + 1, byStart);
        for (Collection<Subscriber> group : List.of(subscribers, viewing)) {
            for (Subscriber subscriber : group) {
                newest.add(subscriber);
                if (newest.size() > LISTED_SUBSCRIBERS) {
                    newest.poll();
                }
            }
        }
        List<Subscriber> ordered = new ArrayList<>(newest);
        ordered.sort(byStart.reversed());
        ArrayNode list = JSON.createArrayNode();
        ordered.forEach(subscriber -> list.add(json(subscriber)));
        return list;
    }

    private ObjectNode json(Subscriber subscriber) {
        ObjectNode node = entry(subscriber.id(), subscriber.topics(), subscriber.watchKind(), subscriber.remote(),
                viewers.contains(subscriber));
        node.put("since", subscriber.startedAt().toEpochMilli());
        return node;
    }

    static ObjectNode json(DepartureRow departure) {
        ObjectNode node = entry(departure.id(), departure.topics(), departure.watch(), departure.remote(),
                departure.viewer());
        node.put("reason", departure.reason());
        node.put("at", departure.at().toEpochMilli());
        node.put("releaseMicros", departure.releaseMicros());
        node.put("durationMillis", departure.durationMillis());
        node.put("updates", departure.updates());
        return node;
    }

    /** What a listed subscriber and a departure have in common; {@code "viewer": true} only for a viewer. */
    private static ObjectNode entry(String id, List<String> topics, String watch, String remote, boolean viewer) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        ArrayNode list = node.putArray("topics");
        topics.forEach(list::add);
        node.put("watch", watch);
        node.put("remote", remote);
        if (viewer) {
            node.put("viewer", true);
        }
        return node;
    }

    /** The port of a loopback peer address ({@code 127.0.0.1:port}, {@code [::1]:port}), else -1. */
    static int loopbackPort(String remote) {
        int colon = remote == null ? -1 : remote.lastIndexOf(':');
        if (colon < 0) {
            return -1;
        }
        String address = remote.substring(0, colon).replace("[", "").replace("]", "");
        if (!address.startsWith("127.") && !address.equals("::1") && !address.equals("0:0:0:0:0:0:0:1")) {
            return -1;
        }
        try {
            return Integer.parseInt(remote.substring(colon + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Ends every viewer {@code server-shutdown} and stops ticking. */
    @Override
    public void close() {
        closed = true;
        TimerWheel.Timeout tick = nextTick;
        if (tick != null) {
            tick.cancel();
        }
        for (Subscriber viewer : new ArrayList<>(viewers)) {
            viewer.end(EndReason.SERVER_SHUTDOWN);
        }
        awaitedStarts.values().forEach(f -> f.cancel(false));
        awaitedEnds.values().forEach(f -> f.cancel(false));
    }

    @Override
    public String toString() {
        return "the live feed";
    }
}
