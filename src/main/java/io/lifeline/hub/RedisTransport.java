package io.lifeline.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeline.cluster.RedisStream;
import io.lifeline.cluster.RedisUnavailableException;
import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport of a node in a cluster: the order of updates and the history live in Redis ({@link RedisStream}),
 * and every node delivers by reading them back.
 *
 * <p>A publish returns once Redis has appended it (durable as far as Redis's own persistence makes it, see the
 * README); it reaches this node's subscribers, like every other node's, when this node's reader reads it. The
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
 * reads again, from where it stopped. If the history moved past that point in the meantime (trimmed, or lost with
 * Redis's data), the reader cannot know what it missed: {@code onGap} is told, and the hub sends its subscribers to
 * reconnect, so that each gets what the protocol prescribes for its last event id.</p>
 */
final class RedisTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(RedisTransport.class);
    private static final Duration BLOCK = Duration.ofSeconds(1);
    private static final int READ_COUNT = 1000;
    /** Entries handed on lately, kept for subscribers whose connect crossed them. */
    private static final int RECENT = 10_000;
    private static final long RETRY_MIN_MILLIS = 100;
    private static final long RETRY_MAX_MILLIS = 2000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedisStream stream;
    private final String node;
    private final Duration nodeTimeout;
    private final Consumer<Published> fanOut;
    private final Runnable onGap;
    private final Function<Listing, List<Update>> endAnnouncements;
    private final ScheduledExecutorService nodes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread reader;
    /** The epoch of the history this node reads. Guarded by {@code lock}. */
    private String epoch;
    /** The sequence of the last entry handed to the fan-out. Guarded by {@code lock}. */
    private long position;
    private String lastEventId = EARLIEST;
    /** The last {@value #RECENT} entries handed on, in order. Guarded by {@code lock}. */
    private final java.util.ArrayDeque<Published> recent = new java.util.ArrayDeque<>();
    /** Why Redis does not answer the reader now, or null. */
    private volatile String unavailable;
    private volatile boolean closed;

    /**
     * Registers this node and starts reading at the current end of the stream: this node delivers what is published
     * from now on.
     *
     * @param node             this node's name, unique in the cluster
     * @param nodeTimeout      how long this node's heartbeat lasts; it is renewed five times as often
     * @param onGap            told, on the reader's or the node watch's thread, when updates this node had not read
     *                         are gone, or when this node was taken for gone: its subscribers must reconnect
     * @param endAnnouncements the end announcements of a subscriber of a node found silent
     */
    RedisTransport(RedisStream stream, String node, Duration nodeTimeout, Consumer<Published> fanOut,
                   Runnable onGap, Function<Listing, List<Update>> endAnnouncements) {
        this.stream = stream;
        this.node = node;
        this.nodeTimeout = nodeTimeout;
        this.fanOut = fanOut;
        this.onGap = onGap;
        this.endAnnouncements = endAnnouncements;
        RedisStream.Connected now;
        try {
            now = stream.connect(new RedisStream.Resume.None(), List.of());
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
    public String connect(String lastEventId, Listing listing, List<Update> announcements,
                          Consumer<Published> replay, Attach attach) {
        List<RedisStream.Outgoing> outgoing = new ArrayList<>(announcements.size());
        for (Update a : announcements) {
            outgoing.add(new RedisStream.Outgoing(a, true, Frame.of(a).size()));
        }
        if (outgoing.isEmpty() && lastEventId == null && listing == null) {
            lock.lock();
            try {
                attach.at(new Position(epoch, position).id(), position); // nothing to ask Redis
                return EARLIEST;
            } finally {
                lock.unlock();
            }
        }
        // Outside the lock: connects on many threads go to Redis together, and share its writes to disk.
        RedisStream.Connected connected;
        try {
            connected = stream.connect(resume(lastEventId), node, listing == null ? null : listing.subscriber(),
                    listing == null ? null : encode(listing), closed ? List.of() : outgoing);
        } catch (RedisUnavailableException e) {
            throw new HubUnavailableException(e.getMessage(), e);
        }
        lock.lock();
        try {
            for (RedisStream.Entry e : connected.replay()) {
                replay.accept(published(e));
            }
            if (!connected.epoch().equals(epoch)) {
                // Redis lost its data and began a new history; the reader will notice and send everyone back
                attach.at(new Position(connected.epoch(), connected.head()).id(), Long.MAX_VALUE);
            } else if (position > connected.head()) {
                // the reader handed on what came after the subscriber's place while it waited for Redis: it gets
                // those from the entries read last, or from Redis if they are older than that
                List<Published> missed;
                try {
                    missed = since(connected.head());
                } catch (RedisUnavailableException e) {
                    throw new HubUnavailableException(e.getMessage(), e);
                }
                missed.forEach(replay);
                attach.at(new Position(epoch, position).id(), position);
            } else {
                attach.at(new Position(epoch, connected.head()).id(), connected.head());
            }
            return connected.found() ? lastEventId : EARLIEST;
        } finally {
            lock.unlock();
        }
    }

    /** What the reader handed on after {@code sequence}, in order; the caller holds the lock. */
    private List<Published> since(long sequence) {
        if (!recent.isEmpty() && recent.peekFirst().sequence() <= sequence + 1) {
            List<Published> after = new ArrayList<>();
            for (Published p : recent) {
                if (p.sequence() > sequence) {
                    after.add(p);
                }
            }
            return after;
        }
        List<Published> after = new ArrayList<>();
        for (RedisStream.Entry e : stream.range(sequence, position)) {
            after.add(published(e));
        }
        return after;
    }

    private static Published published(RedisStream.Entry e) {
        return new Published(e.sequence(), e.update(), Frame.of(e.update()), e.hubEvent());
    }

    private static RedisStream.Resume resume(String lastEventId) {
        if (lastEventId == null) {
            return new RedisStream.Resume.None();
        }
        Position p = Position.parse(lastEventId);
        return p != null ? new RedisStream.Resume.After(p.epoch(), p.sequence())
                : new RedisStream.Resume.AfterId(lastEventId);
    }

    /** Publishes the end announcements unless another node already did (this node was taken for gone). */
    @Override
    public void disconnect(String subscriber, List<Update> announcements) {
        List<RedisStream.Outgoing> outgoing = new ArrayList<>(announcements.size());
        for (Update a : announcements) {
            outgoing.add(new RedisStream.Outgoing(a, true, Frame.of(a).size()));
        }
        try {
            stream.appendForgetting(node, subscriber, outgoing);
        } catch (RedisUnavailableException e) {
            throw new HubUnavailableException(e.getMessage(), e);
        }
    }

    /** Every node's subscribers, as Redis lists them; {@code local} is not needed. */
    @Override
    public Subscriptions subscriptions(Supplier<List<Listing>> local) {
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
    java.util.Map<String, Long> census() {
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

    /** This node's name. */
    String node() {
        return node;
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
            if (!stream.beat(node, nodeTimeout, false, read)) {
                LOG.warn("this node ({}) is no longer registered in Redis: its heartbeat expired and another node "
                        + "announced its subscribers' ends, or Redis lost its data; they are sent to reconnect", node);
                onGap.run();
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
                List<RedisStream.Outgoing> outgoing = new ArrayList<>();
                for (String json : listed) {
                    for (Update a : endAnnouncements.apply(decode(json))) {
                        outgoing.add(new RedisStream.Outgoing(a, true, Frame.of(a).size()));
                    }
                }
                if (stream.bury(silent, node, outgoing)) {
                    LOG.info("node {} went silent for longer than {} ms; the ends of its {} subscribers were "
                            + "announced", silent, nodeTimeout.toMillis(), listed.size());
                }
            }
        } catch (RedisUnavailableException e) {
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
    String unavailable() {
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
                List<RedisStream.Entry> entries = stream.read(position, BLOCK, READ_COUNT);
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
                    onGap.run();
                }
                position = e.sequence();
                lastEventId = e.update().id();
                Published published = published(e);
                recent.addLast(published);
                if (recent.size() > RECENT) {
                    recent.removeFirst();
                }
                try {
                    fanOut.accept(published);
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
        RedisStream.Appended now = stream.evicted();
        lock.lock();
        try {
            if (now.epoch() == null || !now.epoch().equals(epoch)) {
                LOG.warn("Redis at {} holds a new history (epoch {}, was {}): its data was lost; this node's "
                        + "subscribers are sent to reconnect", stream.target(), now.epoch(), epoch);
                RedisStream.Connected fresh = stream.connect(new RedisStream.Resume.None(), List.of());
                epoch = fresh.epoch();
                position = fresh.head();
                onGap.run();
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
        nodes.shutdownNow();
        try {
            stream.leave(node);
        } catch (RedisUnavailableException e) {
            LOG.warn("this node could not leave the cluster cleanly ({}); the others take it for gone within {} ms",
                    e.getMessage(), nodeTimeout.toMillis());
        }
        reader.interrupt();
        try {
            reader.join(BLOCK.multipliedBy(2).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stream.close();
    }
}
