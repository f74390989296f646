package io.lifeline.server;

import io.lifeline.config.Settings;
import io.lifeline.hub.Hub;
import io.lifeline.live.LiveFeed;
import io.lifeline.http.LifelineContextListener;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.AbstractHTTP2ServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Lifeline's web app in an embedded Jetty 12.1: the same listener, servlets and web resources as the WAR.
 *
 * <p>It speaks HTTP/1.1 and HTTP/2, in plain text or, given a keystore, over TLS only.</p>
 *
 * <p>Jetty is set up for long-lived streams: the idle timeout stays well above the heartbeat, so a healthy idle
 * subscriber is never timed out between two heartbeats, and encoded slashes ({@code %2F}) are accepted in paths,
 * because the subscriptions API carries URL topics in a path segment.</p>
 */
public final class EmbeddedServer implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;
    private final ServletContextHandler context;
    private final Settings settings;

    private EmbeddedServer(Server server, ServerConnector connector, ServletContextHandler context,
                           Settings settings) {
        this.server = server;
        this.connector = connector;
        this.context = context;
        this.settings = settings;
    }

    /**
     * Starts Lifeline; throws if the port cannot be bound or the web app does not start. Port 0 is bound before the
     * web app starts, so that what derives from the port ({@link Settings#withBoundPort}) names the real one.
     */
    public static EmbeddedServer start(Settings requested) throws Exception {
        return start(requested, () -> { });
    }

    /** Something to do once the port is bound and before the hub serves it (the warm-up). */
    @FunctionalInterface
    interface BeforeServing {
        void run() throws Exception;
    }

    /**
     * The same, running {@code beforeServing} once the port is bound (a port in use fails at once) and before the web
     * app starts: connections that arrive meanwhile wait in the kernel's queue, and are served once it has.
     */
    static EmbeddedServer start(Settings requested, BeforeServing beforeServing) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("lifeline-http");
        Server server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // Topics in the subscriptions API's path may hold any escape: %2F, %25, %5C. Traversal stays refused
        // (AMBIGUOUS_PATH_SEGMENT is not allowed).
        http.setUriCompliance(UriCompliance.DEFAULT.with("LIFELINE",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS));
        ServerConnector connector = new ServerConnector(server, connectionFactories(requested, http));
        connector.setHost(requested.server().host());
        connector.setPort(requested.server().port());
        connector.setIdleTimeout(idleTimeout(requested).toMillis());
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        connector.open();
        Settings settings = requested.server().port() == 0 ? requested.withBoundPort(connector.getLocalPort())
                : requested;
        try {
            beforeServing.run();
        } catch (Exception | Error e) {
            connector.close();
            throw e;
        }

        ServletContextHandler context = new ServletContextHandler("/");
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        context.setBaseResource(ResourceFactory.of(context).newResource(webResources().toURI()));
        context.setWelcomeFiles(new String[] {"index.html"});
        context.setProtectedTargets(new String[] {"/WEB-INF", "/META-INF"}); // as a servlet container protects them
        ServletHolder files = context.addServlet(DefaultServlet.class, "/");
        files.setInitParameter("dirAllowed", "false");
        context.addEventListener(new LifelineContextListener(settings));
        ErrorPageErrorHandler errorPages = new ErrorPageErrorHandler(); // as web.xml's <error-page> in the WAR
        errorPages.addErrorPage(ErrorPageErrorHandler.GLOBAL_ERROR_PAGE, LifelineContextListener.ERROR_PAGE);
        context.setErrorHandler(errorPages);
        server.setErrorHandler(new PlainErrorHandler());
        // Slow and greedy clients: a deadline for each request's headers, and a cap on connections that keeps the
        // process below its open-files limit (beyond it, Jetty stops accepting until one closes).
        HeaderDeadline headers = new HeaderDeadline(settings.server().headerTimeout(), connector.getScheduler(), () -> {
            Object hub = context.getServletContext().getAttribute(LifelineContextListener.HUB_ATTRIBUTE);
            return hub instanceof Hub h ? h.metrics() : null;
        });
        connector.addBean(headers);
        headers.setHandler(context);
        server.addBean(new NetworkConnectionLimit(settings.server().maxConnections(), connector));
        // On stop, Jetty waits for responses in flight, so the streams the hub ends at shutdown complete cleanly.
        server.setHandler(new GracefulHandler(headers));
        server.setStopTimeout(Duration.ofSeconds(5).toMillis());

        EmbeddedServer embedded = new EmbeddedServer(server, connector, context, settings);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        if (context.isFailed() || embedded.hub() == null) {
            server.stop();
            throw new IllegalStateException("Lifeline's web app did not start; see the log above");
        }
        return embedded;
    }

    /**
     * HTTP/1.1, plus HTTP/2 unless switched off: in plain text as h2c (prior knowledge or upgrade); over TLS as h2,
     * chosen by ALPN. The departure watch is chosen per request, so HTTP/1.1 and HTTP/2 streams on the same connector
     * are each watched their own way.
     */
    private static ConnectionFactory[] connectionFactories(Settings settings, HttpConfiguration http) {
        List<ConnectionFactory> factories = new ArrayList<>();
        if (settings.server().tlsKeystore() == null) {
            factories.add(new HttpConnectionFactory(http));
            if (settings.server().http2()) {
                factories.add(http2(new HTTP2CServerConnectionFactory(http), settings));
            }
            return factories.toArray(ConnectionFactory[]::new);
        }
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(settings.server().tlsKeystore().toString());
        tls.setKeyStorePassword(settings.server().tlsKeystorePassword());
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // clients may address the hub by IP
        https.addCustomizer(secure);
        if (settings.server().http2()) {
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            factories.add(new SslConnectionFactory(tls, alpn.getProtocol()));
            factories.add(alpn);
            factories.add(http2(new HTTP2ServerConnectionFactory(https), settings));
        } else {
            factories.add(new SslConnectionFactory(tls, "http/1.1"));
        }
        factories.add(new HttpConnectionFactory(https));
        return factories.toArray(ConnectionFactory[]::new);
    }

    /** An HTTP/2 stream stays open like its connection: an idle stream is a subscriber between heartbeats. */
    private static AbstractHTTP2ServerConnectionFactory http2(AbstractHTTP2ServerConnectionFactory factory,
                                                              Settings settings) {
        factory.setStreamIdleTimeout(idleTimeout(settings).toMillis());
        return factory;
    }

    /** Idle connections are closed only well after a heartbeat should have kept them busy. */
    static Duration idleTimeout(Settings settings) {
        Settings.Departures departures = settings.departures();
        Duration beyondHeartbeats = departures.heartbeat().multipliedBy(2).plus(departures.dispatchTimeout());
        Duration floor = Duration.ofSeconds(30);
        return beyondHeartbeats.compareTo(floor) > 0 ? beyondHeartbeats : floor;
    }

    private static URL webResources() throws MalformedURLException {
        URL index = EmbeddedServer.class.getResource("/webapp/index.html");
        if (index == null) {
            throw new IllegalStateException("the web resources (webapp/) are missing from the classpath");
        }
        return new URL(index, "./");
    }

    /** The settings it runs with: those it was started with, the bound port applied ({@link #start}). */
    public Settings settings() {
        return settings;
    }

    /** The port actually bound, also when the settings asked for 0. */
    public int port() {
        return connector.getLocalPort();
    }

    public Hub hub() {
        return (Hub) context.getServletContext().getAttribute(LifelineContextListener.HUB_ATTRIBUTE);
    }

    /** What the live view shows, and the F5 demonstration watches. */
    public LiveFeed feed() {
        return (LiveFeed) context.getServletContext().getAttribute(LifelineContextListener.FEED_ATTRIBUTE);
    }

    /** The address the connector bound: a wildcard (IPv6's covers IPv4 too) or the one address asked for. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).socket().getLocalSocketAddress();
    }

    public ServerConnector connector() {
        return connector;
    }

    public void join() throws InterruptedException {
        server.join();
    }

    /** Ends every subscriber {@code server-shutdown}, then stops Jetty. */
    @Override
    public void close() {
        Hub hub = hub();
        if (hub != null) {
            hub.shutdown();
        }
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop cleanly", e);
        }
    }
}
