package io.lifeline.http;

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
import io.lifeline.config.TrustedIssuer;
import io.lifeline.demo.F5Demonstration;
import io.lifeline.hub.Hub;
import io.lifeline.hub.Transport;
import io.lifeline.metrics.HubMetrics;
import io.lifeline.protocol.draft08.ProtectedResourceMetadata;
import io.lifeline.subscriber.SubscriberHost;
import io.lifeline.tcp.TcpSockets;
import io.lifeline.topic.TemplateTopicMatcher;
import io.lifeline.topic.TopicMatcher;
import io.lifeline.watch.Watches;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Lifeline inside a web app and stops it with the web app.
 *
 * <p>In a WAR the settings come from system properties, the environment and the context's init-params, and a key
 * must be configured. The embedded program passes settings it has already read, its command-line flags
 * included; there the TCP user timeout is on unless set otherwise, since the program's manifest lets Lifeline reach
 * the connections' descriptors.</p>
 */
public final class LifelineContextListener implements ServletContextListener {

    /** The context attribute holding the running {@link Hub}. */
    public static final String HUB_ATTRIBUTE = Hub.class.getName();

    /** The web app's default error page, which {@code web.xml} (and the embedded program) names. */
    public static final String ERROR_PAGE = ErrorServlet.PATH;

    private static final Logger LOG = LoggerFactory.getLogger(LifelineContextListener.class);

    private final Settings preset;
    private Hub hub;
    private Watches watches;
    private AutoCloseable stopHook;

    /** For a WAR: settings are read when the context starts. */
    public LifelineContextListener() {
        this(null);
    }

    public LifelineContextListener(Settings settings) {
        this.preset = settings;
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Settings settings;
        try {
            settings = preset != null ? preset : Settings.load(Map.of(), context::getInitParameter);
            settings.requireKeys(); // a WAR has no development mode: no key, no start
        } catch (ConfigException e) {
            LOG.error("Lifeline cannot start: {}", e.getMessage());
            throw e;
        }
        settings.warnings().forEach(w -> LOG.warn("{}", w));

        TopicMatcher matcher = new TemplateTopicMatcher(10_000);
        boolean draft07Tokens = settings.speaks(Settings.DRAFT_07) && settings.hasDraft07Keys();
        Authorizer authorizer = new Authorizer(
                draft07Tokens ? new Jwts(settings.publisherKey()) : null,
                draft07Tokens ? new Jwts(settings.subscriberKey()) : null,
                settings.speaks(Settings.MERCURE_1_0) ? new AccessTokens(settings.resource(), settings.algorithms(),
                        settings.issuers(), new IssuerKeys()) : null,
                settings.anonymous(), matcher);
        boolean embedded = preset != null;
        TcpSockets tcp = TcpSockets.detect(settings.tcpUserTimeout(embedded), settings.unsentBytes());
        watches = Watches.detect(settings.watchMode() == Settings.WatchMode.AUTO, tcp);
        String node = settings.redis() == null ? null
                : settings.nodeName() != null ? settings.nodeName() : madeUpNodeName();
        HubMetrics metrics = new HubMetrics(watches.kinds(), node);
        Transport.Factory transports = node == null
                ? Transport.inMemory(settings.historySize(), settings.historyBytes())
                : handler -> new RedisTransport(RedisStream.open(settings.redis(), settings.historySize(),
                        settings.historyBytes(), settings.redisTimeout()), node, settings.nodeTimeout(), handler);
        if (node != null) {
            LOG.info("connecting to Redis at {}: start-up waits for it up to {} ms ({})", settings.shownTransport(),
                    settings.redisTimeout().toMillis(), Setting.REDIS_TIMEOUT.envName());
        }
        try {
            hub = new Hub(new Hub.Config(new SubscriberHost.Limits(settings.heartbeat(), settings.dispatchTimeout(),
                    settings.queueBytes(), settings.maxLifetime(true), settings.maxLifetime(false)),
                    settings.historySize(), settings.historyBytes(),
                    settings.subscriptionEvents() && settings.speaks(Settings.DRAFT_07),
                    settings.subscriptionEvents() && settings.speaks(Settings.MERCURE_1_0), settings.drain(),
                    settings.maxSubscribers(),
                    settings.maxSubscribersPerAddress(), settings.cursorEvent(), node), authorizer, matcher,
                    metrics, transports, List.of());
        } catch (RedisUnavailableException | IllegalArgumentException e) {
            // a node of a cluster does not start without its Redis: it could neither publish nor resume anyone
            String problem = Setting.TRANSPORT.envName() + "=" + settings.shownTransport() + ": " + e.getMessage()
                    + " (a node of a cluster starts only once its Redis answers)";
            LOG.error("Lifeline cannot start: {}", problem);
            throw new ConfigException(problem);
        }
        context.setAttribute(HUB_ATTRIBUTE, hub);
        if (node != null) {
            LOG.info("node {} of the cluster on {}", node, settings.shownTransport());
        }
        boolean metadata = settings.speaks(Settings.MERCURE_1_0) && !settings.resource().isEmpty();
        RequestTokens tokens = new RequestTokens(settings.cookieName(), settings.publishOrigins(),
                metadata ? ProtectedResourceMetadata.url(settings.resource()) : null,
                settings.speaks(Settings.MERCURE_1_0));
        if (metadata) {
            context.addServlet("protected-resource", new ProtectedResourceServlet(ProtectedResourceMetadata.document(
                    settings.resource(), settings.issuers().stream().filter(TrustedIssuer::metadata)
                            .map(TrustedIssuer::issuer).toList(), RequestTokens.ACCESS_TOKEN_COOKIE)))
                    .addMapping(ProtectedResourceServlet.PATH);
        }
        ClientAddresses clients = new ClientAddresses(settings.trustedProxies());

        ServletRegistration.Dynamic mercure = context.addServlet("mercure", new MercureServlet(
                new SubscribeHandler(hub, authorizer, watches, tokens, clients, settings),
                new PublishHandler(hub, authorizer, tokens, settings.maxUpdateBytes(), settings.bodyTimeout())));
        mercure.setAsyncSupported(true);
        mercure.addMapping("/.well-known/mercure");
        context.addServlet("subscriptions", new SubscriptionsServlet(hub, authorizer, tokens))
                .addMapping(SubscriptionsServlet.PATH, SubscriptionsServlet.PATH + "/*");
        context.addServlet("metrics", new MetricsServlet(metrics, settings.metricsToken())).addMapping("/metrics");
        context.addServlet("error", new ErrorServlet()).addMapping(ErrorServlet.PATH);
        addLiveView(context, settings, authorizer, tokens, clients);
        FilterRegistration.Dynamic headers = context.addFilter("hub-headers",
                new HubHeadersFilter(settings.corsOrigins()));
        headers.setAsyncSupported(true);
        // requests only: a QUERY's stream opens on an async dispatch, which Jetty would filter again by default
        headers.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/.well-known/mercure",
                "/.well-known/mercure/*");
        FilterRegistration.Dynamic methods = context.addFilter("allowed-methods", new AllowedMethods());
        methods.setAsyncSupported(true);
        methods.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");

        Map.Entry<String, AutoCloseable> hook = Watches.installStopHook(context, hub::shutdown);
        stopHook = hook == null ? null : hook.getValue();

        LOG.info("Lifeline started: departure watches {}{}; stop hook {}; {}", watches.kinds(),
                watches.unavailable().isEmpty() ? "" : " (not available here: " + unavailable(watches) + ")",
                hook == null ? "none (the hub drains when the web app is destroyed)" : hook.getKey(),
                settings.describe());
        logSilentDepartureBound(settings, embedded, tcp);
        logStalledReaderBound(settings, tcp, watches);
        if (settings.metricsToken() == null) {
            LOG.info("/metrics answers anyone who reaches it: set LIFELINE_METRICS_TOKEN to ask for a bearer token, "
                    + "or restrict it at the proxy");
        }
    }


    /** {@code jetty-http1: not running in Jetty, ...}: each watch not available here, and why. */
    private static String unavailable(Watches watches) {
        StringBuilder sb = new StringBuilder();
        watches.unavailable().forEach((kind, why) -> sb.append(sb.length() == 0 ? "" : ", ").append(kind).append(": ")
                .append(why));
        return sb.toString();
    }

    /**
     * The live view's stream and the F5 demonstration, open to anyone in development mode, else to admin tokens;
     * what the page is told about this hub.
     */
    private void addLiveView(ServletContext context, Settings settings, Authorizer authorizer, RequestTokens tokens,
                             ClientAddresses clients) {
        boolean open = settings.developmentMode();
        Duration unwatched = settings.maxLifetime(false);
        String bound = unwatched.isZero()
                ? "nothing: LIFELINE_MAX_LIFETIME=0s, so it stays connected until its connection breaks"
                : "the maximum lifetime: it ends max-lifetime within " + unwatched.toMinutes() + " min ("
                + unwatched.toSeconds() + " s, less up to a fifth) and its client resumes with Last-Event-ID";
        F5Demonstration demonstration = settings.demo() ? new F5Demonstration(hub.feed(), bound) : null;
        ServletRegistration.Dynamic live = context.addServlet("live",
                new LiveServlet(hub, authorizer, tokens, watches, clients, open));
        live.setAsyncSupported(true);
        live.addMapping(LiveServlet.PATH);
        context.addServlet("demonstration", new DemonstrationServlet(demonstration, authorizer, open))
                .addMapping(DemonstrationServlet.PATH);
        ObjectNode description = new ObjectMapper().createObjectNode();
        description.put("development", open);
        description.put("demonstration", demonstration != null);
        description.putPOJO("watches", watches.kinds());
        description.put("heartbeatMillis", settings.heartbeat().toMillis());
        description.put("maxLifetimeSeconds", settings.maxLifetime(true).toSeconds());
        description.put("unwatchedMaxLifetimeSeconds", unwatched.toSeconds());
        description.put("unwatchedBound", bound);
        hub.feed().describeHub(description);
    }

    /**
     * One line that says how a client that vanishes without a FIN or an RST is noticed here: by the TCP user
     * timeout, or (where it is off or cannot be set) only by the maximum lifetime.
     */
    private static void logSilentDepartureBound(Settings settings, boolean embedded, TcpSockets tcp) {
        Duration requested = settings.tcpUserTimeout(embedded);
        Duration lifetime = settings.maxLifetime(true);
        String byLifetime = lifetime.isZero()
                ? "nothing bounds it (LIFELINE_MAX_LIFETIME=0s): it is noticed only when the kernel gives up, after "
                + "about 15 minutes of retransmissions (tcp_retries2)"
                : "it is bounded by the maximum lifetime, " + lifetime.toSeconds() + " s";
        if (!tcp.userTimeout().isZero()) {
            Duration timeout = tcp.userTimeout();
            Duration watched = settings.heartbeat().plus(timeout).plusSeconds(1);
            Duration unwatched = settings.heartbeat().multipliedBy(2).plus(timeout).plusSeconds(1);
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
    private static void logStalledReaderBound(Settings settings, TcpSockets tcp, Watches watches) {
        long dispatch = settings.dispatchTimeout().toMillis();
        String queue = size(settings.queueBytes());
        if (!watches.reachesSockets() || tcp.unsentBound() == TcpSockets.UnsentBound.NONE) {
            LOG.info("a subscriber holds at most {} queued in the hub, and in the kernel what its send buffer takes ({}; "
                    + "up to net.ipv4.tcp_wmem's maximum, 4 MiB by default): a reader that stops reading ends "
                    + "write-stalled once its queue overflows, or {} ms after a write that the kernel no longer takes",
                    queue, settings.unsentBytes() == 0 ? "LIFELINE_UNSENT_BYTES=0"
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

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (stopHook != null) {
            try {
                stopHook.close();
            } catch (Exception e) {
                LOG.warn("the container stop hook could not be removed", e);
            }
        }
        if (hub != null) {
            hub.close();
            event.getServletContext().removeAttribute(HUB_ATTRIBUTE);
        }
        if (watches != null) {
            watches.close();
        }
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
