package io.lifeline.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lifeline.protocol.Update;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The hub's order of updates and its history, kept in Redis and shared by every node of a cluster.
 *
 * <p>Two streams hold it: publishers' updates and the hub's own subscription events, each with a history bounded by
 * the history's count and bytes (as a single node's history is: a burst of clients coming and going never pushes
 * publishers' updates out). Every entry's id is {@code <sequence>-0}, the sequence drawn from one counter for both,
 * so together they form one dense order, and a node reads both from its last sequence on ({@code XREAD}).
 * Appending, bounding the history (a running count and byte total decide where it starts) and the index from update
 * id to its earliest copy held are one Lua script, atomic in Redis. An entry that has left the history stays in its
 * stream until every registered node has read past it (each node says how far at each heartbeat), so that a burst
 * never takes an entry from a node that had not read it, up to a lag allowance of 100,000 entries per stream; a
 * replay starts at the history's start whatever the stream still holds. Pub/Sub is not used: it loses what is
 * published while a connection is re-established; a stream is read again from where the node stopped.</p>
 *
 * <p>An epoch, a random value stored beside the counter, names the history: a position from before Redis lost its
 * data is answered like any unknown id. Each command waits at most the command timeout, then fails with
 * {@link RedisUnavailableException}; while the connection is down commands fail at once rather than queue (Lettuce
 * reconnects by itself meanwhile).</p>
 */
public final class RedisStream implements AutoCloseable {

    /** Where a subscriber asks to resume. */
    public sealed interface Resume {
        /** No replay. */
        record None() implements Resume {
        }

        /** After one of the hub's positions. */
        record After(String epoch, long sequence) implements Resume {
        }

        /** After the earliest copy held of the update with this id; {@code earliest} and unknown ids replay all. */
        record AfterId(String id) implements Resume {
        }
    }

    /**
     * One update to append.
     *
     * @param bytes what it takes on the wire, counted against the history's bytes
     */
    public record Outgoing(Update update, boolean hubEvent, long bytes) {
    }

    /** One update read back, with its place in the order. */
    public record Entry(long sequence, Update update, boolean hubEvent) {
    }

    /**
     * What connecting a subscriber found.
     *
     * @param head   the last sequence once its announcements were appended: it joins after it
     * @param found  whether its resume point is held
     * @param replay every update held after the resume point and before the announcements, in order
     */
    public record Connected(String epoch, long head, boolean found, List<Entry> replay) {
    }

    /** The last sequence and the epoch it belongs to. */
    public record Appended(String epoch, long sequence) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "lifeline:";
    private static final String UPDATES = PREFIX + "updates";
    private static final String EVENTS = PREFIX + "events";
    private static final String SEQ = PREFIX + "seq";
    private static final String EVICTED = PREFIX + "evicted";
    private static final String EPOCH = PREFIX + "epoch";
    private static final String[] KEYS = {SEQ, UPDATES, EVENTS, UPDATES + ":bytes", EVENTS + ":bytes",
        PREFIX + "ids", PREFIX + "copies", EVICTED, EPOCH, PREFIX + "last-id", PREFIX + "nodes", UPDATES + ":count",
        EVENTS + ":count", UPDATES + ":first", EVENTS + ":first", PREFIX + "positions"};
    /** How long a claim on a silent node's subscribers lasts, should its claimer die before announcing them. */
    private static final Duration CLAIM = Duration.ofSeconds(30);

    private final String target;
    private final RedisClient client;
    private final ClientResources resources;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisConnection<String, String> reads;
    private final int maxSize;
    private final long maxBytes;
    private final Duration timeout;
    private final Script append;
    private final Script connect;
    private final Script nodes;
    private final Script bury;

    private RedisStream(String target, RedisClient client, ClientResources resources,
                        StatefulRedisConnection<String, String> commands, StatefulRedisConnection<String, String> reads,
                        int maxSize, long maxBytes, Duration timeout) {
        this.target = target;
        this.resources = resources;
        this.timeout = timeout;
        this.client = client;
        this.commands = commands;
        this.reads = reads;
        this.maxSize = maxSize;
        this.maxBytes = maxBytes;
        String history = resource("history.lua");
        this.append = new Script(history + resource("append.lua"));
        this.connect = new Script(history + resource("connect.lua"));
        this.nodes = new Script(history + resource("nodes.lua"));
        this.bury = new Script(history + resource("bury.lua"));
    }

    /**
     * Connects to Redis at {@code uri} ({@code redis://}, {@code rediss://} or {@code redis-sentinel://}, as Lettuce
     * reads them: {@code redis://[password@]host[:port][/database]}).
     *
     * @param maxSize  updates kept in each stream, at least 1
     * @param maxBytes bytes kept in each stream (at least one entry is kept whatever its size)
     * @param timeout  longest a command may take
     * @throws IllegalArgumentException when the URI is not one Lettuce reads
     * @throws RedisUnavailableException when Redis does not answer
     */
    public static RedisStream open(String uri, int maxSize, long maxBytes, Duration timeout) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("a Redis stream keeps at least one update");
        }
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(timeout);
        String target = shown(redisUri);
        // Reconnect soon after Redis is back (Lettuce's default waits up to 30 s between attempts): at most 1 s.
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2,
                        java.util.concurrent.TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        StatefulRedisConnection<String, String> commands = null;
        try {
            commands = client.connect(StringCodec.UTF8);
            StatefulRedisConnection<String, String> reads = client.connect(StringCodec.UTF8);
            RedisStream stream = new RedisStream(target, client, resources, commands, reads, maxSize, maxBytes,
                    timeout);
            stream.appendNothing(); // sets the epoch if Redis has none, and checks the script runs
            return stream;
        } catch (RuntimeException e) {
            if (commands != null) {
                commands.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            if (e instanceof RedisException redis) {
                throw unavailable("cannot reach Redis at " + target + " within " + timeout.toMillis() + " ms",
                        redis);
            }
            throw e;
        }
    }

    /** The URI without its password or options, for messages. */
    private static String shown(RedisURI uri) {
        String database = uri.getDatabase() == 0 ? "" : "/" + uri.getDatabase();
        if (!uri.getSentinels().isEmpty()) {
            StringBuilder hosts = new StringBuilder();
            for (RedisURI sentinel : uri.getSentinels()) {
                hosts.append(hosts.length() == 0 ? "" : ",").append(sentinel.getHost()).append(':')
                        .append(sentinel.getPort());
            }
            return "redis-sentinel://" + hosts + database + "#" + uri.getSentinelMasterId();
        }
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + database;
    }

    /** The target as messages show it (no password). */
    public String target() {
        return target;
    }

    /** Appends the updates in order, trimming each stream to its bounds, and says where the last one went. */
    public Appended append(List<Outgoing> outgoing) {
        return appendForgetting(null, null, outgoing);
    }

    /**
     * Appends the updates as {@link #append} does and, in the same step, forgets the listing of a subscriber that
     * ended.
     *
     * @param node       the node that listed it
     * @param subscriber its id, or null to forget none
     */
    public Appended appendForgetting(String node, String subscriber, List<Outgoing> outgoing) {
        List<String> args = bounds();
        args.add(node == null ? "" : node);
        args.add(subscriber == null ? "" : subscriber);
        outgoing.forEach(o -> addEntry(args, o));
        List<Object> reply = run(append, args);
        return new Appended((String) reply.get(0), (Long) reply.get(1));
    }

    private void appendNothing() {
        append(List.of());
    }

    /**
     * Finds where a subscriber resumes and its replay, then appends its announcements, in one atomic step: nothing
     * is published in between.
     */
    public Connected connect(Resume resume, List<Outgoing> announcements) {
        return connect(resume, null, null, null, announcements);
    }

    /**
     * Connects as {@link #connect(Resume, List)} does and, in the same step, lists the subscriber under its node.
     *
     * @param listing the subscriber as the subscriptions API lists it (opaque JSON), or null to list nothing
     */
    public Connected connect(Resume resume, String node, String subscriber, String listing,
                             List<Outgoing> announcements) {
        List<String> args = bounds();
        if (resume instanceof Resume.After after) {
            args.add("position");
            args.add(after.epoch());
            args.add(Long.toString(after.sequence()));
        } else if (resume instanceof Resume.AfterId afterId) {
            args.add("id");
            args.add(afterId.id());
            args.add("");
        } else {
            args.add("none");
            args.add("");
            args.add("");
        }
        args.add(node == null ? "" : node);
        args.add(subscriber == null || listing == null ? "" : subscriber);
        args.add(listing == null ? "" : listing);
        announcements.forEach(o -> addEntry(args, o));
        List<Object> reply = run(connect, args);
        List<Entry> replay = new ArrayList<>();
        for (Object o : (List<?>) reply.get(3)) {
            List<?> e = (List<?>) o;
            replay.add(new Entry(sequenceOf((String) e.get(0)), UpdateCodec.decode((String) e.get(3)),
                    ((Long) e.get(1)) == 1));
        }
        replay.sort(Comparator.comparingLong(Entry::sequence));
        return new Connected((String) reply.get(0), (Long) reply.get(1), ((Long) reply.get(2)) == 1, replay);
    }

    /** The entries held after {@code after} up to {@code upTo}, in order. */
    public List<Entry> range(long after, long upTo) {
        try {
            List<Entry> entries = new ArrayList<>();
            for (String stream : new String[] {UPDATES, EVENTS}) {
                for (StreamMessage<String, String> m : commands.sync().xrange(stream,
                        io.lettuce.core.Range.create("(" + after + "-0", upTo + "-0"))) {
                    entries.add(new Entry(sequenceOf(m.getId()), UpdateCodec.decode(m.getBody().get("u")),
                            EVENTS.equals(stream)));
                }
            }
            entries.sort(Comparator.comparingLong(Entry::sequence));
            return entries;
        } catch (RedisException e) {
            throw unavailable("cannot read from Redis at " + target, e);
        }
    }

    /**
     * Waits up to {@code block} for entries after {@code sequence} and returns them in order (at most {@code count}
     * of each stream); empty when none came. Only one thread may read: the reads have a connection of their own,
     * which blocks meanwhile.
     */
    public List<Entry> read(long sequence, Duration block, int count) {
        String from = sequence + "-0";
        try {
            List<StreamMessage<String, String>> messages = reads.sync().xread(
                    XReadArgs.Builder.block(block).count(count),
                    XReadArgs.StreamOffset.from(UPDATES, from), XReadArgs.StreamOffset.from(EVENTS, from));
            List<Entry> entries = new ArrayList<>(messages.size());
            for (StreamMessage<String, String> m : messages) {
                entries.add(new Entry(sequenceOf(m.getId()), UpdateCodec.decode(m.getBody().get("u")),
                        EVENTS.equals(m.getStream())));
            }
            entries.sort(Comparator.comparingLong(Entry::sequence));
            // With a count, one stream may stop earlier in the order than the other: keep only what is complete.
            if (messages.size() >= count) {
                long complete = Long.MAX_VALUE;
                for (String stream : new String[] {UPDATES, EVENTS}) {
                    long lastOfStream = -1;
                    int ofStream = 0;
                    for (StreamMessage<String, String> m : messages) {
                        if (stream.equals(m.getStream())) {
                            ofStream++;
                            lastOfStream = sequenceOf(m.getId());
                        }
                    }
                    if (ofStream >= count) {
                        complete = Math.min(complete, lastOfStream);
                    }
                }
                long bound = complete;
                entries.removeIf(e -> e.sequence() > bound);
            }
            return entries;
        } catch (RedisException e) {
            throw unavailable("cannot read from Redis at " + target, e);
        }
    }

    /**
     * Prolongs a node's heartbeat by {@code lifetime}, in Redis's own clock (so the nodes' clocks need not agree),
     * and records how far it has read: entries after that stay in the streams for it, even once they have left the
     * history.
     *
     * @param register whether to register the node if it is not (at its start, or after it was found silent)
     * @param read     the last sequence the node has read
     * @return false when the node was not registered and {@code register} was false: its heartbeat had expired
     *         and another node announced its subscribers' ends
     */
    public boolean beat(String node, Duration lifetime, boolean register, long read) {
        List<String> args = bounds();
        args.add(register ? "register" : "beat");
        args.add(node);
        args.add(Long.toString(lifetime.toMillis()));
        args.add(Long.toString(read));
        return (Long) run(nodes, args).get(0) == 1;
    }

    /**
     * Gives every registered node a heartbeat of at least {@code lifetime} from now: what a node does when it finds
     * Redis back after an outage, during which no node could renew its heartbeat, so that nodes are taken for gone
     * only if they stay silent once Redis answers again.
     */
    public void grace(Duration lifetime) {
        List<String> args = bounds();
        args.add("grace");
        args.add("");
        args.add(Long.toString(lifetime.toMillis()));
        run(nodes, args);
    }

    /** The nodes whose heartbeat has expired. */
    public List<String> silentNodes() {
        List<String> args = bounds();
        args.add("expired");
        args.add("");
        args.add("0");
        List<String> silent = new ArrayList<>();
        for (Object o : (List<?>) run(nodes, args).get(0)) {
            silent.add((String) o);
        }
        return silent;
    }

    /**
     * Claims a silent node's subscribers for {@code claimer}: only one node wins, until the claim lapses
     * (30 s) should its claimer die before announcing them.
     *
     * @return the listings (opaque JSON) of the node's subscribers when the claim was won, else null
     */
    public List<String> claim(String node, String claimer) {
        try {
            RedisCommands<String, String> sync = commands.sync();
            String won = sync.set(PREFIX + "claim:" + node, claimer,
                    io.lettuce.core.SetArgs.Builder.nx().px(CLAIM.toMillis()));
            return "OK".equals(won) ? sync.hvals(PREFIX + "subscriptions:" + node) : null;
        } catch (RedisException e) {
            throw unavailable("cannot reach Redis at " + target, e);
        }
    }

    /** A subscriber of a claimed node, and the announcements of its end. */
    public record Ended(String subscriber, List<Outgoing> announcements) {
    }

    /**
     * Appends the end announcements of a claimed node's subscribers, each only if it is still listed (its own node
     * may have announced its end meanwhile), and forgets the node, in one step; does nothing if the claim is no
     * longer {@code claimer}'s or the node's heartbeat came back meanwhile.
     *
     * @param restarted whether the node buries what it listed itself before a restart under the same name: its
     *                  heartbeat is not checked and it stays registered
     * @return whether it was done
     */
    public boolean bury(String node, String claimer, boolean restarted, List<Ended> ended) {
        List<String> args = bounds();
        args.add(node);
        args.add(claimer);
        args.add(restarted ? "1" : "0");
        args.add(Integer.toString(ended.size()));
        for (Ended e : ended) {
            args.add(e.subscriber());
            args.add(Integer.toString(e.announcements().size()));
            e.announcements().forEach(o -> addEntry(args, o));
        }
        List<Object> reply = run(bury, args);
        return (Long) reply.get(1) >= 0;
    }

    /** Forgets a node that stops cleanly, with whatever it still listed. */
    public void leave(String node) {
        List<String> args = bounds();
        args.add("leave");
        args.add(node);
        args.add("0");
        run(nodes, args);
    }

    /** Every registered node's listed subscribers (opaque JSON), and the id of the last update appended. */
    public Listings listings() {
        List<String> args = bounds();
        args.add("list");
        args.add("");
        args.add("0");
        List<?> reply = run(nodes, args);
        List<String> listings = new ArrayList<>();
        for (Object o : (List<?>) reply.get(1)) {
            listings.add((String) o);
        }
        String lastId = (String) reply.get(0);
        return new Listings(lastId.isEmpty() ? null : lastId, listings);
    }

    /** Every registered node, with how many subscribers it lists, in the order of their heartbeats' expiry. */
    public java.util.Map<String, Long> census() {
        List<String> args = bounds();
        args.add("census");
        args.add("");
        args.add("0");
        List<Object> reply = run(nodes, args);
        java.util.Map<String, Long> census = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            census.put((String) reply.get(i), (Long) reply.get(i + 1));
        }
        return census;
    }

    /** Listed subscribers, and the id of the last update appended (null before any). */
    public record Listings(String lastEventId, List<String> listings) {
    }

    /** The epoch Redis holds now: null when it has none (it lost its data, and nothing was appended since). */
    public String epoch() {
        try {
            return commands.sync().get(EPOCH);
        } catch (RedisException e) {
            throw unavailable("cannot reach Redis at " + target, e);
        }
    }

    private List<String> bounds() {
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(maxSize));
        args.add(Long.toString(maxBytes));
        args.add(newEpoch()); // kept only if Redis has none: SET NX keeps the first offered
        return args;
    }

    private static void addEntry(List<String> args, Outgoing o) {
        args.add(o.hubEvent() ? "1" : "0");
        args.add(o.update().id());
        args.add(Long.toString(o.bytes()));
        args.add(UpdateCodec.encode(o.update()));
    }

    private static long sequenceOf(String entryId) {
        return Long.parseLong(entryId.substring(0, entryId.indexOf('-')));
    }

    /** Runs a script; every script here answers with a list. */
    private List<Object> run(Script script, List<String> args) {
        RedisCommands<String, String> sync = commands.sync();
        String[] values = args.toArray(String[]::new);
        try {
            try {
                return sync.evalsha(script.sha, ScriptOutputType.MULTI, KEYS, values);
            } catch (RedisNoScriptException e) {
                // a restarted Redis forgot the script
                return sync.eval(script.text, ScriptOutputType.MULTI, KEYS, values);
            }
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            throw unavailable("Redis at " + target + " refused a script", e);
        } catch (RedisException e) {
            throw unavailable("Redis at " + target + " did not answer", e);
        }
    }

    private static RedisUnavailableException unavailable(String what, RedisException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new RedisUnavailableException(what + ": " + detail, e);
    }

    private static String newEpoch() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Longest one command may take. */
    public Duration timeout() {
        return timeout;
    }

    private static String resource(String name) {
        try (InputStream in = RedisStream.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }

    @Override
    public void close() {
        reads.close();
        commands.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** A script and its SHA-1, by which Redis runs it once it has seen it. */
    private static final class Script {
        final String text;
        final String sha;

        Script(String text) {
            this.text = text;
            this.sha = sha1(text);
        }

        private static String sha1(String text) {
            try {
                return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                        .digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
