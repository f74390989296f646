package io.lifeline.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeline.auth.Authorizer;
import io.lifeline.auth.draft07.Jwts;
import io.lifeline.auth.draft08.AccessTokens;
import io.lifeline.auth.draft08.IssuerKeys;
import io.lifeline.cluster.RedisStream;
import io.lifeline.cluster.RedisTransport;
import io.lifeline.cluster.RedisUnavailableException;
import io.lifeline.config.ConfigException;
import io.lifeline.config.Setting;
import io.lifeline.config.Settings;
import io.lifeline.demo.F5Demonstration;
import io.lifeline.hub.Hub;
import io.lifeline.hub.Transport;
import io.lifeline.live.LiveFeed;
import io.lifeline.metrics.HubMetrics;
import io.lifeline.subscriber.SubscriberHost;
import io.lifeline.tcp.TcpSockets;
import io.lifeline.topic.TemplateTopicMatcher;
import io.lifeline.topic.TopicMatcher;
import io.lifeline.watch.Watches;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lifeline's parts, made from its settings in one place: the authorizer, the departure watches and the kernel's
 * socket options, the transport (in memory, or Redis for a node of a cluster), the hub and its metrics, the live
 * view's description of the hub and the F5 demonstration. The WAR's context listener and the embedded program (which
 * runs the same listener) both start Lifeline through it; the servlets that serve these parts are registered by
 * {@code io.lifeline.http.LifelineContextListener}.
 *
 * <p>It is the only code that imports the Redis package: the hub is given its transport, never builds it.</p>
 */
public final class Lifeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Lifeline.class);

    private final Settings settings;
    private final Authorizer authorizer;
    private final TcpSockets tcp;
    private final Watches watches;
    private final HubMetrics metrics;
    private final Hub hub;
    private final LiveFeed feed;
    private final F5Demonstration demonstration;
    private final boolean embedded;

    private Lifeline(Settings settings, boolean embedded) {
        this.settings = settings;
        this.embedded = embedded;
        TopicMatcher matcher = new TemplateTopicMatcher(10_000);
        Settings.Authorization authorization = settings.authorization();
        Settings.Hub hubSettings = settings.hub();
        Settings.Departures departures = settings.departures();
        Settings.Cluster cluster = settings.cluster();
        boolean draft07Tokens = hubSettings.speaks(Settings.DRAFT_07) && authorization.hasDraft07Keys();
        this.authorizer = new Authorizer(
                draft07Tokens ? new Jwts(settings.publisherKey()) : null,
                draft07Tokens ? new Jwts(settings.subscriberKey()) : null,
                hubSettings.speaks(Settings.MERCURE_1_0) ? new AccessTokens(authorization.resource(),
                        authorization.algorithms(), authorization.issuers(), new IssuerKeys()) : null,
                authorization.anonymous(), matcher);
        this.tcp = TcpSockets.detect(departures.tcpUserTimeout(embedded), departures.unsentBytes());
        this.watches = Watches.detect(departures.watchMode() == Settings.WatchMode.AUTO, tcp);
        String node = cluster.redis() == null ? null
                : cluster.nodeName() != null ? cluster.nodeName() : madeUpNodeName();
        this.metrics = new HubMetrics(watches.kinds(), node);
        Transport.Factory transports = node == null
                ? Transport.inMemory(hubSettings.historySize(), hubSettings.historyBytes())
                : handler -> new RedisTransport(RedisStream.open(cluster.redis(), hubSettings.historySize(),
                        hubSettings.historyBytes(), cluster.redisTimeout()), node, cluster.nodeTimeout(), handler);
        if (node != null) {
            LOG.info("connecting to Redis at {}: start-up waits for it up to {} ms ({})", cluster.shownTransport(),
                    cluster.redisTimeout().toMillis(), Setting.REDIS_TIMEOUT.envName());
        }
        LiveFeed[] made = new LiveFeed[1];
        try {
            this.hub = new Hub(hubConfig(hubSettings, departures),
                    authorizer, matcher, metrics, transports,
                    hub -> made[0] = new LiveFeed(hub, hub::subscribers, metrics, node, hub::census), List.of());
        } catch (RedisUnavailableException | IllegalArgumentException e) {
            // a node of a cluster does not start without its Redis: it could neither publish nor resume anyone
            String problem = Setting.TRANSPORT.envName() + "=" + cluster.shownTransport() + ": " + e.getMessage()
                    + " (a node of a cluster starts only once its Redis answers)";
            LOG.error("Lifeline cannot start: {}", problem);
            throw new ConfigException(problem);
        }
        if (node != null) {
            LOG.info("node {} of the cluster on {}", node, cluster.shownTransport());
        }
        this.feed = made[0];
        metrics.liveViewers(feed::viewers);
        this.demonstration = settings.operations().demo() ? new F5Demonstration(feed, unwatchedBound()) : null;
        feed.describeHub(description());
    }

    /** The hub's record, from the settings of the hub and of departures. */
    private static Hub.Config hubConfig(Settings.Hub hub, Settings.Departures departures) {
        return new Hub.Config(new SubscriberHost.Limits(departures.heartbeat(), departures.dispatchTimeout(),
                departures.queueBytes(), departures.maxLifetime(true), departures.maxLifetime(false)),
                hub.historySize(), hub.historyBytes(), hub.subscriptionEvents() && hub.speaks(Settings.DRAFT_07),
                hub.subscriptionEvents() && hub.speaks(Settings.MERCURE_1_0), hub.drain(), hub.maxSubscribers(),
                hub.maxSubscribersPerAddress(), hub.cursorEvent());
    }

    /**
     * Makes every part from {@code settings}.
     *
     * @param embedded whether the embedded program runs it (its manifest lets Lifeline reach the connections'
     *                 descriptors, so the TCP user timeout is on unless set otherwise); false in a WAR
     * @throws ConfigException when a node of a cluster finds no Redis that answers
     */
    public static Lifeline start(Settings settings, boolean embedded) {
        return new Lifeline(settings, embedded);
    }

    public Settings settings() {
        return settings;
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    public Watches watches() {
        return watches;
    }

    public HubMetrics metrics() {
        return metrics;
    }

    public Hub hub() {
        return hub;
    }

    /** What the live view shows, and the F5 demonstration watches. */
    public LiveFeed feed() {
        return feed;
    }

    /** The F5 demonstration, or null where {@code LIFELINE_DEMO=false} turns it off. */
    public F5Demonstration demonstration() {
        return demonstration;
    }

    /**
     * Logs what a subscriber is bounded by here: how a client that vanishes without a FIN or an RST is noticed, and
     * what a reader that stops reading may hold; and whether {@code /metrics} is open.
     */
    public void logBounds() {
        logSilentDepartureBound();
        logStalledReaderBound();
        if (settings.operations().metricsToken() == null) {
            LOG.info("/metrics answers anyone who reaches it: set LIFELINE_METRICS_TOKEN to ask for a bearer token, "
                    + "or restrict it at the proxy");
        }
    }

    /** Closes the hub (it drains first), then the departure watches. */
    @Override
    public void close() {
        hub.close();
        watches.close();
    }

    /** What bounds a subscriber no departure watch guards, in words for the live view and the demonstration. */
    private String unwatchedBound() {
        Duration unwatched = settings.departures().maxLifetime(false);
        return unwatched.isZero()
                ? "nothing: LIFELINE_MAX_LIFETIME=0s, so it stays connected until its connection breaks"
                : "the maximum lifetime: it ends max-lifetime within " + unwatched.toMinutes() + " min ("
                + unwatched.toSeconds() + " s, less up to a fifth) and its client resumes with Last-Event-ID";
    }

    /** What a new viewer of the live view is told about this hub. */
    private ObjectNode description() {
        ObjectNode description = new ObjectMapper().createObjectNode();
        description.put("development", settings.developmentMode());
        description.put("demonstration", demonstration != null);
        description.putPOJO("watches", watches.kinds());
        description.put("heartbeatMillis", settings.departures().heartbeat().toMillis());
        description.put("maxLifetimeSeconds", settings.departures().maxLifetime(true).toSeconds());
        description.put("unwatchedMaxLifetimeSeconds", settings.departures().maxLifetime(false).toSeconds());
        description.put("unwatchedBound", unwatchedBound());
        return description;
    }

    /**
     * One line that says how a client that vanishes without a FIN or an RST is noticed here: by the TCP user
     * timeout, or (where it is off or cannot be set) only by the maximum lifetime.
     */
    private void logSilentDepartureBound() {
        Duration requested = settings.departures().tcpUserTimeout(embedded);
        Duration lifetime = settings.departures().maxLifetime(true);
        String byLifetime = lifetime.isZero()
                ? "nothing bounds it (LIFELINE_MAX_LIFETIME=0s): it is noticed only when the kernel gives up, after "
                + "about 15 minutes of retransmissions (tcp_retries2)"
                : "it is bounded by the maximum lifetime, " + lifetime.toSeconds() + " s";
        if (!tcp.userTimeout().isZero()) {
            Duration timeout = tcp.userTimeout();
            Duration watched = settings.departures().heartbeat().plus(timeout).plusSeconds(1);
            Duration unwatched = settings.departures().heartbeat().multipliedBy(2).plus(timeout).plusSeconds(1);
            LOG.info("TCP user timeout {} ms on every subscriber's connection: a client that vanishes without a FIN "
                    + "or an RST ends client-timeout within {} ms where a departure watch reads the connection "
                    + "(heartbeat + user timeout + 1 s), {} ms elsewhere (two heartbeats + user timeout + 1 s)",
                    timeout.toMillis(), watched.toMillis(), unwatched.toMillis());
        } else if (requested.isZero()) {
            LOG.info("TCP user timeout off ({}): a client that vanishes without a FIN or an RST sends nothing to "
                    + "notice; {}", embedded ? "LIFELINE_TCP_USER_TIMEOUT=0s" : "in a WAR it is opt-in: set "
                    + "LIFELINE_TCP_USER_TIMEOUT and start the JVM with --add-exports java.base/sun.nio.ch=ALL-UNNAMED",
                    byLifetime);
        } else {
            LOG.warn("TCP user timeout {} ms is not active: {}; a client that vanishes without a FIN or an RST "
                    + "sends nothing to notice, so {}", requested.toMillis(), tcp.unavailableReason(), byLifetime);
        }
    }

    /**
     * One line that says what one subscriber may hold at most, queued in the hub and unsent in the kernel, and when a
     * reader that stops taking its bytes ends.
     */
    private void logStalledReaderBound() {
        long dispatch = settings.departures().dispatchTimeout().toMillis();
        String queue = size(settings.departures().queueBytes());
        if (!watches.reachesSockets() || tcp.unsentBound() == TcpSockets.UnsentBound.NONE) {
            LOG.info("a subscriber holds at most {} queued in the hub, and in the kernel what its send buffer takes ({}; "
                    + "up to net.ipv4.tcp_wmem's maximum, 4 MiB by default): a reader that stops reading ends "
                    + "write-stalled once its queue overflows, or {} ms after a write that the kernel no longer takes",
                    queue, settings.departures().unsentBytes() == 0 ? "LIFELINE_UNSENT_BYTES=0"
                            : "no container hook reaches the connections here", dispatch);
            return;
        }
        String unsent = size(tcp.unsentBytes());
        LOG.info("a subscriber holds at most {} queued in the hub plus {} unsent in the kernel ({}{}), and what is in "
                + "flight to its client: a reader that stops reading ends write-stalled {} ms after its write stops "
                + "finishing; one that falls behind must take at least {} (or the rest of a larger update) every {} ms",
                queue, unsent, tcp.unsentBound().option(), tcp.unsentBound() == TcpSockets.UnsentBound.SEND_BUFFER
                        ? ", which counts bytes in flight too: " + tcp.unavailableReason() : "",
                dispatch, size(tcp.unsentBytes() / 2), dispatch);
    }

    /** {@code 64 KiB}, {@code 4 MiB}, {@code 1000 B}: whole units where they divide, as settings are written. */
    private static String size(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        return bytes >= 1024 && bytes % 1024 == 0 ? (bytes >> 10) + " KiB" : bytes + " B";
    }

    /** The host's name and a random suffix: unique even for several nodes on one host. */
    private static String madeUpNodeName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "node";
        }
        host = host.replaceAll("[^A-Za-z0-9.-]", "-");
        String suffix = java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextInt());
        return host + "-" + suffix.substring(2); // six hex digits
    }
}
