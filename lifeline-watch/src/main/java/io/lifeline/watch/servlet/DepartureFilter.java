package io.lifeline.watch.servlet;

import io.lifeline.tcp.TcpSockets;
import io.lifeline.watch.Watches;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a servlet application, once and with the true reason, when the client of an async {@code text/event-stream}
 * response leaves: a FIN, an RST, or a connection the kernel gave up on. The Servlet API reports none of these
 * (jakartaee/servlet#44); a write to a client that sent a FIN through a proxy that keeps accepting bytes never fails.
 *
 * <p>Register it for {@code REQUEST} and {@code ASYNC} dispatches, ahead of every other filter. It wraps the request
 * so that {@code startAsync} and {@code getAsyncContext} return a context whose {@code complete()} and
 * {@code dispatch(...)} stop the watch first (a watch left reading would swallow a next request or abort the
 * connection), and the response so that it sees the content type. A response is watched once it is async and its
 * content type is {@code text/event-stream}; on HTTP/1.x it then carries {@code Connection: close}, set before commit,
 * because the watch reads and discards whatever the client sends and must never meet a second request on the
 * connection. One already committed without it is not watched, and counted ({@link DepartureCounts}).</p>
 *
 * <p>When the client leaves, the watch stops, the request attribute {@link #DEPARTURE_ATTRIBUTE} holds the
 * {@link Departure}, and on a container thread ({@code AsyncContext.start}) every {@code AsyncListener} added through
 * the wrapped context gets {@code onError} with a {@link ClientDepartedException} (see {@link
 * #departureError(Departure)}); then the response completes unless a listener completed or dispatched it. In Spring
 * MVC this runs an {@code SseEmitter}'s {@code onError}, then its {@code onCompletion}. Where the container tells the
 * listeners of the failure itself (Jetty on HTTP/2: a stream reset, a dropped connection), the reason is recorded
 * and counted before they hear of it, and they hear of it once, from the container.</p>
 *
 * <p>No thread is started per connection: the container's own watch (one selector per container) reads the sockets.
 * Where no watch sees a connection (another container; Tomcat over TLS, where it can only abort), the filter says so
 * once in the log and counts it; such a client is noticed only when a write to it fails. The container's idle
 * timeout is left as the application set it.</p>
 */
public class DepartureFilter implements Filter {

    /** The request attribute that holds the {@link Departure} once the client left. */
    public static final String DEPARTURE_ATTRIBUTE = "io.lifeline.watch.departure";

    /** The init-param that sets the TCP user timeout, as a duration in milliseconds; {@code 0} sets none. */
    public static final String TCP_USER_TIMEOUT_PARAMETER = "tcpUserTimeoutMillis";

    /**
     * The TCP user timeout set on every watched connection unless configured otherwise: bytes unacknowledged for this
     * long make the kernel abort the connection, and the client ends {@code client-timeout}.
     */
    public static final Duration DEFAULT_TCP_USER_TIMEOUT = Duration.ofSeconds(30);

    static final String WATCHED_ATTRIBUTE = DepartureFilter.class.getName() + ".watched";

    private static final Logger LOG = LoggerFactory.getLogger(DepartureFilter.class);

    private final DepartureCounts counts = new DepartureCounts();
    private final Set<String> unwatchedKindsLogged = ConcurrentHashMap.newKeySet();
    private Duration tcpUserTimeout;
    private volatile Watches watches;

    /**
     * A filter that sets the {@linkplain #DEFAULT_TCP_USER_TIMEOUT default TCP user timeout}, unless its init-param
     * says otherwise.
     */
    public DepartureFilter() {
        this(null);
    }

    /**
     * @param tcpUserTimeout the TCP user timeout to set on every watched connection, in whole milliseconds (Linux
     *                       {@code TCP_USER_TIMEOUT}, RFC 5482), zero for none; null for the init-param
     *                       {@value #TCP_USER_TIMEOUT_PARAMETER}, else the default
     * @throws IllegalArgumentException when it is negative or not a whole number of milliseconds
     */
    public DepartureFilter(Duration tcpUserTimeout) {
        if (tcpUserTimeout != null && (tcpUserTimeout.isNegative()
                || !tcpUserTimeout.equals(Duration.ofMillis(tcpUserTimeout.toMillis())))) {
            throw new IllegalArgumentException("the TCP user timeout is " + tcpUserTimeout + ": it takes a whole "
                    + "number of milliseconds, 0 for none");
        }
        this.tcpUserTimeout = tcpUserTimeout;
    }

    /**
     * @throws ServletException when the init-param {@value #TCP_USER_TIMEOUT_PARAMETER} is not a whole number of
     *                          milliseconds, 0 or more
     */
    @Override
    public void init(FilterConfig config) throws ServletException {
        if (tcpUserTimeout == null) {
            String millis = config == null ? null : config.getInitParameter(TCP_USER_TIMEOUT_PARAMETER);
            tcpUserTimeout = millis == null ? DEFAULT_TCP_USER_TIMEOUT : millis(millis);
        }
        start();
    }

    private static Duration millis(String value) throws ServletException {
        try {
            long millis = Long.parseLong(value.trim());
            if (millis >= 0) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ServletException("the init-param " + TCP_USER_TIMEOUT_PARAMETER + " of " + DepartureFilter.class
                .getSimpleName() + " is '" + value + "': it takes a whole number of milliseconds, 0 for no TCP user "
                + "timeout");
    }

    private synchronized Watches start() {
        if (watches == null) {
            Duration timeout = tcpUserTimeout != null ? tcpUserTimeout : DEFAULT_TCP_USER_TIMEOUT;
            TcpSockets tcp = TcpSockets.detect(timeout, 0);
            watches = Watches.detect(true, tcp);
            LOG.info("departure watches: {}{}; TCP user timeout {}", watches.kinds(),
                    watches.unavailable().isEmpty() ? "" : " (not loaded: " + watches.unavailable() + ")",
                    timeout.isZero() ? "off" : tcp.descriptorsReachable() ? timeout.toMillis() + " ms"
                            : "not active: " + tcp.unavailableReason());
        }
        return watches;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)) {
            chain.doFilter(request, response);
            return;
        }
        if (request.getDispatcherType() == DispatcherType.ASYNC
                && request.getAttribute(WATCHED_ATTRIBUTE) instanceof WatchedExchange earlier) {
            earlier.stop(); // an async dispatch hands the response back to the container: the watch must not read on
        }
        Watches current = watches != null ? watches : start();
        WatchedExchange exchange = new WatchedExchange(http, httpResponse, current, this);
        request.setAttribute(WATCHED_ATTRIBUTE, exchange);
        try {
            chain.doFilter(exchange.request(), exchange.response());
        } finally {
            exchange.dispatchReturned();
        }
    }

    @Override
    public void destroy() {
        Watches w = watches;
        if (w != null) {
            w.close();
        }
    }

    /** What this filter has counted: departures by reason, and event streams it could not watch. */
    public DepartureCounts counts() {
        return counts;
    }

    /**
     * What the application's {@code AsyncListener.onError} receives when its client left: a {@link
     * ClientDepartedException} here; an integration may return its framework's own kind of "client gone" exception
     * (the Spring Boot starter returns one Spring MVC treats as a disconnected client).
     */
    protected Throwable departureError(Departure departure) {
        return new ClientDepartedException(departure);
    }

    /** Says once per kind that a connection of this kind is not watched, and with what bound. */
    void unwatched(String kind, String why) {
        counts.countUnwatched();
        if (unwatchedKindsLogged.add(kind + why)) {
            Duration timeout = tcpUserTimeout != null ? tcpUserTimeout : DEFAULT_TCP_USER_TIMEOUT;
            LOG.info("event streams on {} connections are not watched here ({}): a client that leaves is noticed only "
                    + "when a write to it fails: after an RST, at the next write; after a silent departure, {}; "
                    + "after a FIN through a proxy that goes on accepting bytes, never", kind, why,
                    timeout.isZero() ? "when the kernel gives up retransmitting (about 15 minutes)"
                            : "at most " + timeout.toMillis() + " ms after a write, where the TCP user timeout is set");
        }
    }
}
