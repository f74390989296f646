package io.lifeline.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeline.hub.Announcement;
import io.lifeline.hub.HubUnavailableException;
import io.lifeline.hub.Listing;
import io.lifeline.hub.Position;
import io.lifeline.hub.Published;
import io.lifeline.hub.Roster;
import io.lifeline.hub.Subscriptions;
import io.lifeline.hub.Transport;
import io.lifeline.protocol.RandomIds;
import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Frame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport of a node in a cluster: the order of updates and the history live in Redis ({@link RedisStream}),
 * and every node delivers by reading them back.
 *
 * <p>A publish returns once Redis has appended it (durable as far as Redis's own persistence makes it, see
 * docs/cluster.md); it reaches this node's subscribers, like every other node's, when this node's reader reads it. The
 * reader is one thread per node: it waits on Redis for entries after the last sequence it handed on, and hands each
 * to the fan-out in order, holding the transport's lock. Connecting a subscriber is one Redis round trip (find the
 * resume point, read the replay, append the announcements and list the subscriber, atomically in Redis), made
 * outside the lock so that connects on many threads reach Redis together and share its writes to disk; Redis says
 * the sequence the subscriber's place is at. Then, holding the lock: if the reader has not got that far, the
 * subscriber joins there and the fan-out skips every entry up to it; if the reader went past it meanwhile, the
 * subscriber first gets what the reader handed on since (kept from the last entries read, or read again from
 * Redis) and joins at the reader's position. No update is lost or repeated between replay and live stream, and a
 * subscriber never receives its own announcements, which come before its place.</p>
 *
 * <p>When Redis does not answer, publishes and new subscribers are refused ({@link HubUnavailableException}); the
 * subscribers already connected stay, get their heartbeats, and get the updates published meanwhile once the reader
 * reads again, from where it stopped: Redis keeps every entry a registered node has not read (up to a lag allowance,
 * {@link RedisStream}). If entries this node had not read are gone all the same (it fell further behind, or Redis
 * lost its data), the reader cannot know what it missed: it tells the hub
 * ({@link Transport.EventHandler#lostUpdates}), which sends its subscribers to reconnect, so that each gets what the
 * protocol prescribes for its last event id.</p>
 *
 * <p>A second thread per node watches the cluster's nodes: it renews this node's heartbeat and announces the ends of
 * the subscribers of nodes that fell silent ({@link #watchNodes}).</p>
 */
public final class RedisTransport implements Transport, Roster {

    private static final Logger LOG = LoggerFactory.getLogger(RedisTransport.class);
    private static final Duration LONGEST_BLOCK = Duration.ofSeconds(1);
    private static final int READ_COUNT = 1000;
    /** Entries handed on lately, kept for subscribers whose connect crossed them. */
    private static final int RECENT = 1000;
    private static final long RETRY_MIN_MILLIS = 100;
    private static final long RETRY_MAX_MILLIS = 2000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedisStream stream;
    private final String node;
    private final Duration nodeTimeout;
    private final Transport.EventHandler hub;
    private final ScheduledExecutorService nodes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread reader;
    /** How long one read waits for entries: within the command timeout, which applies to it too. */
    private final Duration block;
    /** Where connects in flight started: the reader's position then. Until they attach, Redis keeps what follows. */
    private final Map<Object, Long> connecting = new java.util.concurrent.ConcurrentHashMap<>();
    /** Ends whose announcement Redis did not take, tried again by the node watch, in order. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Ending> unannounced =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int MAX_UNANNOUNCED = 100_000;
    /** The epoch of the history this node reads. Guarded by {@code lock}. */
    private String epoch;
    /** The sequence of the last entry handed to the fan-out. Guarded by {@code lock}. */
    private long position;
    private String lastEventId = EARLIEST;
    /** The last {@value #RECENT} entries handed on, in order. Guarded by {@code lock}. */
    private final ArrayDeque<Published> recent = new ArrayDeque<>();
    /** Why Redis does not answer the reader now, or null. */
    private volatile String unavailable;
    /** Whether Redis failed to answer since the node watch last gave every node its grace. */
    private volatile boolean redisWasAway;
    private volatile boolean closed;

    /**
     * Registers this node and starts reading at the current end of the stream: this node delivers what is published
     * from now on.
     *
     * @param node             this node's name, unique in the cluster
     * @param nodeTimeout      how long this node's heartbeat lasts; it is renewed five times as often
     * @param hub              told of each update to fan out, and, on the reader's or the node watch's thread, when
     *                         updates this node had not read are gone or this node was taken for gone (its
     *                         subscribers must reconnect); asked for the end announcements of a subscriber of a node
     *                         found silent
     */
    public RedisTransport(RedisStream stream, String node, Duration nodeTimeout, Transport.EventHandler hub) {
        this.stream = stream;
        this.node = node;
        this.nodeTimeout = nodeTimeout;
        this.hub = hub;
        Duration half = stream.timeout().dividedBy(2);
        this.block = half.compareTo(LONGEST_BLOCK) < 0 ? half : LONGEST_BLOCK;
        RedisStream.Connected now;
        try {
            now = stream.connect(new RedisStream.Resume.None(), List.of());
            buryOwn();
            stream.beat(node, nodeTimeout, true, now.head());
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
        this.epoch = now.epoch();
        this.position = now.head();
        this.reader = new Thread(this::readLoop, "lifeline-redis-reader");
        reader.setDaemon(true);
        reader.start();
        this.nodes = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "lifeline-redis-nodes");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, nodeTimeout.toMillis() / 5);
        nodes.scheduleWithFixedDelay(this::watchNodes, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Announces the ends of whatever this node's name still lists from before a restart (a crash, then a start
     * within the node timeout, under a name given by the operator): those subscribers are gone.
     */
    private void buryOwn() {
        List<String> listed = stream.claim(node, node);
        // buried even when nothing is listed: burying also lets go of the claim, which another node needs should
        // this one fall silent within the claim's 30 s
        if (listed != null && stream.bury(node, node, true, ended(listed)) && !listed.isEmpty()) {
            LOG.info("this node's name ({}) still listed {} subscribers from before its start; their ends were "
                    + "announced", node, listed.size());
        }
    }

    /** The subscribers of listings in Redis, with the announcements of their ends. */
    private List<RedisStream.Ended> ended(List<String> listings) {
        List<RedisStream.Ended> ended = new ArrayList<>(listings.size());
        for (String json : listings) {
            Listing listing = decode(json);
            ended.add(new RedisStream.Ended(listing.subscriber(), outgoing(hub.endAnnouncements(listing))));
        }
        return ended;
    }

    /**
     * The announcements as every node reads them: built at once, since they go to Redis, each with an id of its own
     * (a node cannot know an event's position in the cluster's order before Redis gives it one).
     */
    private static List<RedisStream.Outgoing> outgoing(List<Announcement> announcements) {
        List<RedisStream.Outgoing> outgoing = new ArrayList<>(announcements.size());
        for (Announcement a : announcements) {
            Update update = a.withId().apply(RandomIds.urn());
            outgoing.add(new RedisStream.Outgoing(update, true, Frame.of(update).size()));
        }
        return outgoing;
    }

    @Override
    public void publish(Update update, boolean hubEvent) {
        if (closed) {
            throw new IllegalStateException("the hub is stopping");
        }
        try {
            stream.append(List.of(new RedisStream.Outgoing(update, hubEvent, Frame.of(update).size())));
        } catch (RedisUnavailableException e) {
            throw new HubUnavailableException(e.getMessage(), e);
        }
    }

    @Override
    public String connect(String lastEventId, Listing listing, List<Announcement> announcements,
                          Consumer<Published> replay, Attach attach) {
        List<RedisStream.Outgoing> outgoing = outgoing(announcements);
        if (outgoing.isEmpty() && lastEventId == null && listing == null) {
            lock.lock();
            try {
                attach.at(new Position(epoch, position).id(), position); // nothing to ask Redis
                return EARLIEST;
            } finally {
                lock.unlock();
            }
        }
        // Outside the lock: connects on many threads go to Redis together, and share its writes to disk. Until this
        // one attaches, the heartbeat reports no further than where it started, so Redis keeps what it may need.
        Object token = new Object();
        connecting.put(token, readUpTo());
        try {
            RedisStream.Connected connected;
            try {
                boolean listed = listing != null && !closed; // a subscriber that races with the stop is not listed
                connected = stream.connect(resume(lastEventId), node, listed ? listing.subscriber() : null,
                        listed ? encode(listing) : null, closed ? List.of() : outgoing);
            } catch (RedisUnavailableException e) {
                throw new HubUnavailableException(e.getMessage(), e);
            }
            lock.lock();
            try {
                if (!connected.epoch().equals(epoch)) {
                    throw new HubUnavailableException("Redis began a new history while the subscriber connected "
                            + "(it lost its data)", null);
                }
                List<Published> missed = List.of();
                if (position > connected.head()) {
                    // the reader handed on what came after the subscriber's place while it waited for Redis: it
                    // gets those from the entries read last, or from Redis if they are older than that
                    try {
                        missed = since(connected.head());
                    } catch (RedisUnavailableException e) {
                        throw new HubUnavailableException(e.getMessage(), e);
                    }
                }
                for (RedisStream.Entry e : connected.replay()) {
                    replay.accept(published(e));
                }
                missed.forEach(replay);
                long joined = Math.max(position, connected.head());
                attach.at(new Position(epoch, joined).id(), joined);
                return connected.found() ? lastEventId : EARLIEST;
            } finally {
                lock.unlock();
            }
        } finally {
            connecting.remove(token);
        }
    }

    /**
     * What the reader handed on after {@code sequence} up to its position, in order; the caller holds the lock.
     *
     * @throws HubUnavailableException when some of it is no longer anywhere (never, while Redis keeps what this
     *                                 node has not reported read)
     */
    private List<Published> since(long sequence) {
        List<Published> after = new ArrayList<>();
        if (!recent.isEmpty() && recent.peekFirst().sequence() <= sequence + 1) {
            for (Published p : recent) {
                if (p.sequence() > sequence) {
                    after.add(p);
                }
            }
        } else {
            for (RedisStream.Entry e : stream.range(sequence, position)) {
                after.add(published(e));
            }
        }
        for (int i = 0; i < after.size(); i++) {
            if (after.get(i).sequence() != sequence + 1 + i) {
                throw new HubUnavailableException("updates after " + sequence + " are no longer held", null);
            }
        }
        if (sequence + after.size() != position) {
            throw new HubUnavailableException("updates after " + sequence + " are no longer held", null);
        }
        return after;
    }

    private static Published published(RedisStream.Entry e) {
        return Published.of(e.sequence(), e.update(), e.hubEvent());
    }

    private static RedisStream.Resume resume(String lastEventId) {
        if (lastEventId == null) {
            return new RedisStream.Resume.None();
        }
        Position p = Position.parse(lastEventId);
        return p != null ? new RedisStream.Resume.After(p.epoch(), p.sequence())
                : new RedisStream.Resume.AfterId(lastEventId);
    }

    /**
     * Publishes the end announcements unless another node already did (this node was taken for gone). When Redis
     * does not answer, the end is kept and announced once it does, in order; only beyond {@value #MAX_UNANNOUNCED}
     * kept ends is one given up ({@link HubUnavailableException}).
     */
    @Override
    public void disconnect(String subscriber, List<Announcement> announcements) {
        Ending ending = new Ending(subscriber, outgoing(announcements));
        if (unannounced.isEmpty()) {
            try {
                stream.appendForgetting(node, subscriber, ending.announcements());
                return;
            } catch (RedisUnavailableException e) {
                LOG.debug("the end of {} is announced once Redis answers: {}", subscriber, e.getMessage());
            }
        }
        if (unannounced.size() >= MAX_UNANNOUNCED) {
            throw new HubUnavailableException("Redis does not answer, and " + MAX_UNANNOUNCED + " ends wait already",
                    null);
        }
        unannounced.add(ending);
    }

    /** An end to announce. */
    private record Ending(String subscriber, List<RedisStream.Outgoing> announcements) {
    }

    /** Announces the ends kept while Redis did not answer, in order, until it fails again. */
    private void announceKeptEnds() {
        for (Ending ending = unannounced.peek(); ending != null; ending = unannounced.peek()) {
            stream.appendForgetting(node, ending.subscriber(), ending.announcements());
            unannounced.poll();
        }
    }

    /** Every node's subscribers, as Redis lists them. */
    @Override
    public Subscriptions subscriptions() {
        RedisStream.Listings listed;
        try {
            listed = stream.listings();
        } catch (RedisUnavailableException e) {
            throw new HubUnavailableException(e.getMessage(), e);
        }
        List<Listing> listings = new ArrayList<>(listed.listings().size());
        for (String json : listed.listings()) {
            listings.add(decode(json));
        }
        return new Subscriptions(listed.lastEventId() == null ? EARLIEST : listed.lastEventId(), listings);
    }

    /** Every node of the cluster and how many subscribers it lists. */
    @Override
    public Map<String, Long> census() {
        try {
            return stream.census();
        } catch (RedisUnavailableException e) {
            throw new HubUnavailableException(e.getMessage(), e);
        }
    }

    /** The last sequence this node's reader handed on. */
    private long readUpTo() {
        lock.lock();
        try {
            return position;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Renews this node's heartbeat, and announces the ends of the subscribers of every node whose heartbeat
     * expired, once: the node that wins the claim does. If this node's own heartbeat had expired (it was cut off
     * from Redis longer than its timeout), another node has announced its subscribers' ends: they are sent to
     * reconnect, to be announced again wherever they land, and this node registers anew.
     */
    private void watchNodes() {
        if (closed) {
            return;
        }
        try {
            long read = readUpTo();
            for (long started : connecting.values()) {
                read = Math.min(read, started);
            }
            if (redisWasAway) {
                // nobody could renew a heartbeat while Redis was away: silence counts again from now
                stream.grace(nodeTimeout);
                redisWasAway = false;
            }
            announceKeptEnds();
            if (!stream.beat(node, nodeTimeout, false, read)) {
                LOG.warn("this node ({}) is no longer registered in Redis: its heartbeat expired and another node "
                        + "announced its subscribers' ends, or Redis lost its data; they are sent to reconnect", node);
                hub.lostUpdates();
                stream.beat(node, nodeTimeout, true, read);
            }
            for (String silent : stream.silentNodes()) {
                if (silent.equals(node)) {
                    continue;
                }
                List<String> listed = stream.claim(silent, node);
                if (listed == null) {
                    continue; // another node claimed it
                }
                if (stream.bury(silent, node, false, ended(listed))) {
                    LOG.info("node {} went silent for longer than {} ms; the ends of its {} subscribers were "
                            + "announced", silent, nodeTimeout.toMillis(), listed.size());
                }
            }
        } catch (RedisUnavailableException e) {
            redisWasAway = true;
            LOG.debug("node heartbeat not renewed: {}", e.getMessage()); // the reader says when Redis goes and comes
        } catch (RuntimeException e) {
            LOG.error("watching the cluster's nodes failed; trying again", e);
        }
    }

    private static String encode(Listing listing) {
        ObjectNode o = JSON.createObjectNode();
        o.put("s", listing.subscriber());
        ArrayNode subscriptions = o.putArray("l");
        for (Listing.Subscription s : listing.subscriptions()) {
            ObjectNode one = subscriptions.addObject();
            one.put("v", s.value());
            if (s.mercure10Type() != null) {
                one.put("t", s.mercure10Type());
            }
            if (s.payload() != null) {
                one.set("p", s.payload());
            }
        }
        return o.toString();
    }

    private static Listing decode(String json) {
        try {
            JsonNode o = JSON.readTree(json);
            List<Listing.Subscription> subscriptions = new ArrayList<>();
            for (JsonNode one : o.path("l")) {
                subscriptions.add(new Listing.Subscription(one.path("v").asText(),
                        one.hasNonNull("t") ? one.get("t").asText() : null, one.get("p")));
            }
            return new Listing(o.path("s").asText(), subscriptions);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a listing in Redis is not JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public String position() {
        lock.lock();
        try {
            return new Position(epoch, position).id();
        } finally {
            lock.unlock();
        }
    }

    /** Runs at once: everything up to this node's position has been handed to the fan-out, under the same lock. */
    @Override
    public void atPosition(Consumer<String> action) {
        lock.lock();
        try {
            action.accept(new Position(epoch, position).id());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String lastEventId() {
        lock.lock();
        try {
            return lastEventId;
        } finally {
            lock.unlock();
        }
    }

    /** Why this node cannot reach Redis now, or null when it can. */
    @Override
    public String unavailable() {
        return unavailable;
    }

    private void readLoop() {
        long retryMillis = RETRY_MIN_MILLIS;
        boolean failed = false;
        while (!closed) {
            try {
                if (failed) {
                    checkForGap();
                    LOG.info("Redis at {} answers again; this node reads from sequence {}", stream.target(),
                            position);
                    failed = false;
                    unavailable = null;
                    retryMillis = RETRY_MIN_MILLIS;
                }
                List<RedisStream.Entry> entries = stream.read(position, block, READ_COUNT);
                if (!entries.isEmpty()) {
                    handOn(entries);
                } else {
                    // Quiet for a whole block: a good moment to check that Redis still holds this history. Its
                    // data can go without the connection dropping (FLUSHALL, a replica promoted empty), and the
                    // reader would then wait for sequences the new history reaches only much later.
                    checkForGap();
                }
            } catch (RedisUnavailableException e) {
                if (closed) {
                    return;
                }
                if (!failed) {
                    LOG.warn("{}; publishes and new subscribers are refused, connected subscribers stay, and this "
                            + "node reads on from sequence {} once Redis answers", e.getMessage(), position);
                }
                failed = true;
                redisWasAway = true;
                unavailable = e.getMessage();
                pause(retryMillis);
                retryMillis = Math.min(RETRY_MAX_MILLIS, retryMillis * 2);
            } catch (RuntimeException e) {
                LOG.error("the Redis reader failed; it reads on from sequence {}", position, e);
                pause(RETRY_MIN_MILLIS);
            }
        }
    }

    private void handOn(List<RedisStream.Entry> entries) {
        lock.lock();
        try {
            for (RedisStream.Entry e : entries) {
                if (e.sequence() <= position) {
                    continue;
                }
                if (e.sequence() > position + 1) {
                    LOG.warn("updates {} to {} were trimmed from Redis before this node read them (it fell more than "
                            + "the streams' lag allowance behind); its subscribers are sent to reconnect",
                            position + 1, e.sequence() - 1);
                    hub.lostUpdates();
                }
                position = e.sequence();
                lastEventId = e.update().id();
                Published published = published(e);
                recent.addLast(published);
                if (recent.size() > RECENT) {
                    recent.removeFirst();
                }
                try {
                    hub.fanOut(published);
                } catch (RuntimeException failure) {
                    LOG.error("a fan-out failed; the next update goes on", failure);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * After an outage, and once per quiet block: if Redis began a new history (it lost its data), this node starts
     * over in it and sends its subscribers to reconnect. (Entries this node had not read are never trimmed for the
     * history's sake while it is registered; if more than the streams' lag allowance was lost, the reader notices the
     * gap in the sequences.)
     */
    private void checkForGap() {
        String now = stream.epoch();
        lock.lock();
        try {
            if (now == null || !now.equals(epoch)) {
                LOG.warn("Redis at {} holds a new history (epoch {}, was {}): its data was lost; this node's "
                        + "subscribers are sent to reconnect", stream.target(), now, epoch);
                RedisStream.Connected fresh = stream.connect(new RedisStream.Resume.None(), List.of());
                epoch = fresh.epoch();
                position = fresh.head();
                recent.clear();
                lastEventId = EARLIEST;
                hub.lostUpdates();
            }
        } finally {
            lock.unlock();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        nodes.shutdown();
        try {
            nodes.awaitTermination(stream.timeout().toMillis() * 4, TimeUnit.MILLISECONDS);
            announceKeptEnds();
            stream.leave(node);
        } catch (RedisUnavailableException e) {
            LOG.warn("this node could not leave the cluster cleanly ({}); the others take it for gone within {} ms",
                    e.getMessage(), nodeTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reader.interrupt();
        try {
            reader.join(block.toMillis() + stream.timeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stream.close();
    }
}
