package io.lifeline.http;

import io.lifeline.app.Lifeline;
import io.lifeline.auth.Authorizer;
import io.lifeline.config.ConfigException;
import io.lifeline.config.Settings;
import io.lifeline.config.TrustedIssuer;
import io.lifeline.hub.Hub;
import io.lifeline.live.LiveFeed;
import io.lifeline.protocol.draft08.ProtectedResourceMetadata;
import io.lifeline.watch.Watches;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.util.EnumSet;
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

    /** The context attribute holding the running hub's {@link LiveFeed}. */
    public static final String FEED_ATTRIBUTE = LiveFeed.class.getName();

    /** The web app's default error page, which {@code web.xml} (and the embedded program) names. */
    public static final String ERROR_PAGE = ErrorServlet.PATH;

    private static final Logger LOG = LoggerFactory.getLogger(LifelineContextListener.class);

    private final Settings preset;
    private Lifeline lifeline;
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

        lifeline = Lifeline.start(settings, preset != null);
        hub = lifeline.hub();
        watches = lifeline.watches();
        Authorizer authorizer = lifeline.authorizer();
        context.setAttribute(HUB_ATTRIBUTE, hub);
        context.setAttribute(FEED_ATTRIBUTE, lifeline.feed());
        Settings.Authorization authorization = settings.authorization();
        boolean metadata = settings.hub().speaks(Settings.MERCURE_1_0) && !authorization.resource().isEmpty();
        RequestTokens tokens = new RequestTokens(authorization.cookieName(), authorization.publishOrigins(),
                metadata ? ProtectedResourceMetadata.url(authorization.resource()) : null,
                settings.hub().speaks(Settings.MERCURE_1_0));
        if (metadata) {
            context.addServlet("protected-resource", new ProtectedResourceServlet(ProtectedResourceMetadata.document(
                    authorization.resource(), authorization.issuers().stream().filter(TrustedIssuer::metadata)
                            .map(TrustedIssuer::issuer).toList(), RequestTokens.ACCESS_TOKEN_COOKIE)))
                    .addMapping(ProtectedResourceServlet.PATH);
        }
        ClientAddresses clients = new ClientAddresses(settings.hub().trustedProxies());

        ServletRegistration.Dynamic mercure = context.addServlet("mercure", new MercureServlet(
                new SubscribeHandler(hub, authorizer, watches, tokens, clients, settings),
                new PublishHandler(hub, authorizer, tokens, settings.hub().maxUpdateBytes(),
                        settings.hub().bodyTimeout())));
        mercure.setAsyncSupported(true);
        mercure.addMapping("/.well-known/mercure");
        context.addServlet("subscriptions", new SubscriptionsServlet(hub, authorizer, tokens))
                .addMapping(SubscriptionsServlet.PATH, SubscriptionsServlet.PATH + "/*");
        context.addServlet("metrics", new MetricsServlet(lifeline.metrics(), settings.operations().metricsToken()))
                .addMapping("/metrics");
        context.addServlet("error", new ErrorServlet()).addMapping(ErrorServlet.PATH);
        addLiveView(context, settings, authorizer, tokens, clients);
        FilterRegistration.Dynamic headers = context.addFilter("hub-headers",
                new HubHeadersFilter(authorization.corsOrigins()));
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
        lifeline.logBounds();
    }


    /** {@code jetty-http1: not running in Jetty, ...}: each watch not available here, and why. */
    private static String unavailable(Watches watches) {
        StringBuilder sb = new StringBuilder();
        watches.unavailable().forEach((kind, why) -> sb.append(sb.length() == 0 ? "" : ", ").append(kind).append(": ")
                .append(why));
        return sb.toString();
    }

    /** The live view's stream and the F5 demonstration, open to anyone in development mode, else to admin tokens. */
    private void addLiveView(ServletContext context, Settings settings, Authorizer authorizer, RequestTokens tokens,
                             ClientAddresses clients) {
        boolean open = settings.developmentMode();
        ServletRegistration.Dynamic live = context.addServlet("live",
                new LiveServlet(hub, lifeline.feed(), authorizer, tokens, watches, clients, open));
        live.setAsyncSupported(true);
        live.addMapping(LiveServlet.PATH);
        context.addServlet("demonstration", new DemonstrationServlet(lifeline.demonstration(), authorizer, open))
                .addMapping(DemonstrationServlet.PATH);
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
            event.getServletContext().removeAttribute(FEED_ATTRIBUTE);
        }
        if (watches != null) {
            watches.close();
        }
    }
}
