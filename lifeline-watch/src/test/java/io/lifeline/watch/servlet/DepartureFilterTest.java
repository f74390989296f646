package io.lifeline.watch.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.H2Client;
import io.lifeline.testing.HalfClosingProxy;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.Tls;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter in front of a plain async SSE servlet in embedded Jetty, written as an application writes one: each
 * stream kept in a map and removed in its {@code AsyncListener}'s {@code onComplete} and {@code onError}. Clients
 * speak raw HTTP/1.1 over sockets and leave with a FIN ({@code shutdownOutput()}), an RST, or a FIN through a proxy
 * that half-closes and goes on accepting bytes.
 */
class DepartureFilterTest {

    private static final Duration WITHIN = Duration.ofSeconds(5);

    /** What the application saw of one stream. */
    static final class Stream {
        volatile Throwable error;
        final AtomicInteger errors = new AtomicInteger();
        volatile boolean completed;
        volatile Object departureAttribute;
    }

    private final Map<Integer, Stream> open = new ConcurrentHashMap<>();
    private final Map<Integer, Stream> seen = new ConcurrentHashMap<>();
    private final AtomicInteger plainRequests = new AtomicInteger();
    private Server server;
    /** HTTP/1.1, and h2c with prior knowledge. */
    private ServerConnector connector;
    /** HTTP/1.1 over TLS. */
    private ServerConnector tlsConnector;
    private DepartureFilter filter;

    @TempDir
    static Path keys;
    private static Path keystore;

    @BeforeAll
    static void makeKeystore() throws Exception {
        keystore = Tls.keystore(keys);
    }

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        connector = new ServerConnector(server, new HttpConnectionFactory(http),
                new HTTP2CServerConnectionFactory(http));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(keystore.toString());
        ssl.setKeyStorePassword(Tls.PASSWORD);
        tlsConnector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                new HttpConnectionFactory(http));
        tlsConnector.setHost("127.0.0.1");
        server.addConnector(tlsConnector);
        ServletContextHandler context = new ServletContextHandler();
        filter = new DepartureFilter();
        context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        context.addServlet(new ServletHolder(new EventsServlet()), "/events");
        context.addServlet(new ServletHolder(new PlainAsyncServlet()), "/plain");
        context.addServlet(new ServletHolder(new LateEventsServlet()), "/late");
        server.setHandler(context);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    /** An application's SSE endpoint: async, no timeout, a comment at once, the stream kept until it ends. */
    final class EventsServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            int clientPort = request.getRemotePort();
            Stream stream = new Stream();
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            async.addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    stream.completed = true;
                    open.remove(clientPort);
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                }

                @Override
                public void onError(AsyncEvent event) {
                    stream.errors.incrementAndGet();
                    stream.departureAttribute = request.getAttribute(DepartureFilter.DEPARTURE_ATTRIBUTE);
                    stream.error = event.getThrowable();
                    open.remove(clientPort);
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                }
            });
            open.put(clientPort, stream);
            seen.put(clientPort, stream);
            response.setContentType("text/event-stream");
            response.getOutputStream().write(": hello\n\n".getBytes(StandardCharsets.US_ASCII));
            response.flushBuffer();
            if (request.getParameter("complete") != null) {
                async.complete();
            }
        }
    }

    /** An event stream whose head went out before its content type, so without {@code Connection: close}. */
    final class LateEventsServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            response.flushBuffer();
            response.setContentType("text/event-stream");
            response.getOutputStream().write(": hello\n\n".getBytes(StandardCharsets.US_ASCII));
            response.flushBuffer();
        }
    }

    /** A non-streaming async response on a keep-alive connection: never watched. */
    final class PlainAsyncServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            plainRequests.incrementAndGet();
            AsyncContext async = request.startAsync();
            async.start(() -> {
                try {
                    response.setContentType("text/plain");
                    response.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                } finally {
                    async.complete();
                }
            });
        }
    }

    @Test
    void aFinFromTheClientRunsTheApplicationsOnErrorWithClientClosedAndCompletesTheResponse() throws Exception {
        try (RawSseClient client = RawSseClient.open(connector.getLocalPort(), "/events")) {
            assertEquals(200, client.awaitHead(WITHIN));
            assertEquals("close", client.header("Connection"), "an HTTP/1.1 event stream is its connection's last");
            client.awaitBody(": hello", WITHIN);
            Stream stream = seen.get(client.localPort());

            client.fin();

            awaitTrue(() -> stream.completed, "the response completed after the FIN");
            assertDeparted(stream, Departure.CLIENT_CLOSED);
            assertTrue(open.isEmpty(), "the application's map of streams is empty");
            assertTrue(client.awaitEof(WITHIN), "the server closed its side");
            assertEquals(1, filter.counts().departed(Departure.CLIENT_CLOSED));
        }
    }

    @Test
    void anRstFromTheClientEndsTheStreamClientReset() throws Exception {
        try (RawSseClient client = RawSseClient.open(connector.getLocalPort(), "/events")) {
            client.awaitBody(": hello", WITHIN);
            Stream stream = seen.get(client.localPort());

            client.reset();

            awaitTrue(() -> stream.completed, "the response completed after the RST");
            assertDeparted(stream, Departure.CLIENT_RESET);
            assertTrue(open.isEmpty(), "the application's map of streams is empty");
        }
    }

    @Test
    void aFinThroughAProxyThatKeepsAcceptingBytesIsNoticedToo() throws Exception {
        try (HalfClosingProxy proxy = new HalfClosingProxy(connector.getLocalPort());
             RawSseClient client = RawSseClient.open(proxy.port(), "/events")) {
            client.awaitBody(": hello", WITHIN);
            awaitTrue(() -> open.size() == 1, "the stream is open");
            Stream stream = open.values().iterator().next();

            client.close(); // the proxy half-closes towards the server and goes on accepting bytes

            awaitTrue(() -> stream.completed, "the response completed after the proxy's FIN");
            assertDeparted(stream, Departure.CLIENT_CLOSED);
            assertTrue(open.isEmpty(), "the application's map of streams is empty");
        }
    }

    @Test
    void aFinUnderTlsWithoutCloseNotifyEndsTheStreamClientClosed() throws Exception {
        try (RawSseClient client = RawSseClient.openTls(tlsConnector.getLocalPort(), "/events")) {
            assertEquals(200, client.awaitHead(WITHIN));
            assertEquals("close", client.header("Connection"));
            client.awaitBody(": hello", WITHIN);
            awaitTrue(() -> open.size() == 1, "the stream is open");
            Stream stream = open.values().iterator().next();

            client.fin(); // under the TLS layer: no close_notify

            awaitTrue(() -> stream.completed, "the response completed after the FIN");
            assertDeparted(stream, Departure.CLIENT_CLOSED);
        }
    }

    /**
     * On HTTP/2 Jetty tells the application's listeners of a stream reset itself, with its own exception: the filter
     * records the reason before they hear of it, and they hear of it once.
     */
    @Test
    void anHttp2StreamResetReachesTheApplicationOnceWithItsReasonAndTheConnectionServesOn() throws Exception {
        try (H2Client h2 = H2Client.connect(connector.getLocalPort(), false)) {
            H2Client.SseStream first = h2.get("/events");
            first.awaitBody(": hello", WITHIN);
            awaitTrue(() -> open.size() == 1, "the stream is open");
            Stream stream = open.values().iterator().next();

            first.reset();

            awaitTrue(() -> stream.error != null, "onError ran");
            assertEquals(Departure.CLIENT_RESET, stream.departureAttribute);
            assertEquals(1, stream.errors.get(), "told once");
            assertEquals(1, filter.counts().departed(Departure.CLIENT_RESET));
            assertTrue(open.isEmpty(), "the application's map of streams is empty");
            H2Client.SseStream second = h2.get("/events");
            second.awaitBody(": hello", WITHIN);
            assertEquals(null, second.header("Connection"), "no Connection header on HTTP/2");
            awaitTrue(() -> open.size() == 1, "a second stream on the same connection is open");
        }
    }

    @Test
    void aDroppedHttp2ConnectionReachesTheApplicationOnceWithItsReason() throws Exception {
        H2Client h2 = H2Client.connect(connector.getLocalPort(), false);
        try {
            h2.get("/events").awaitBody(": hello", WITHIN);
            awaitTrue(() -> open.size() == 1, "the stream is open");
            Stream stream = open.values().iterator().next();

            h2.dropConnection();

            awaitTrue(() -> stream.error != null, "onError ran");
            assertEquals(Departure.CLIENT_RESET, stream.departureAttribute);
            assertEquals(1, stream.errors.get(), "told once");
            assertTrue(open.isEmpty(), "the application's map of streams is empty");
        } finally {
            h2.close();
        }
    }

    @Test
    void streamsTheApplicationCompletesItselfLeaveNoWatchAndReportNoDeparture() throws Exception {
        for (int i = 0; i < 200; i++) {
            try (RawSseClient client = RawSseClient.open(connector.getLocalPort(), "/events?complete")) {
                client.awaitBody(": hello", WITHIN);
                assertTrue(client.awaitEof(WITHIN), "the completed stream closed its connection");
            }
        }
        awaitTrue(open::isEmpty, "every stream completed");
        for (Stream stream : seen.values()) {
            assertTrue(stream.completed);
            assertEquals(null, stream.error, "no departure reported for a stream the application completed");
        }
        for (Departure d : Departure.values()) {
            assertEquals(0, filter.counts().departed(d), d.label());
        }
    }

    @Test
    void aResponseThatIsNoEventStreamIsNotWatchedAndItsConnectionServesTheNextRequest() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", connector.getLocalPort()));
            socket.setSoTimeout((int) WITHIN.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 50; i++) {
                out.write(("GET /plain HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String response = readResponse(in);
                assertTrue(response.startsWith("HTTP/1.1 200"), response);
                assertFalse(response.toLowerCase().contains("connection: close"), response);
            }
        }
        assertEquals(50, plainRequests.get());
    }

    @Test
    void anEventStreamCommittedBeforeTheFilterCouldCloseItsConnectionIsNotWatchedAndIsCounted() throws Exception {
        try (RawSseClient client = RawSseClient.open(connector.getLocalPort(), "/late")) {
            client.awaitBody(": hello", WITHIN);
            assertEquals(null, client.header("Connection"), "committed before the filter could add it");
            awaitTrue(() -> filter.counts().committedWithoutClose() == 1, "counted");
        }
        assertEquals(0, filter.counts().unwatched());
    }

    @Test
    void aTcpUserTimeoutThatIsNoWholeNumberOfMillisecondsStopsTheFilterWithAReason() {
        for (String bad : List.of("fast", "-1", "1.5", "")) {
            ServletException e = assertThrows(ServletException.class, () -> new DepartureFilter().init(config(
                    Map.of(DepartureFilter.TCP_USER_TIMEOUT_PARAMETER, bad))));
            assertTrue(e.getMessage().contains(DepartureFilter.TCP_USER_TIMEOUT_PARAMETER)
                    && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void aTcpUserTimeoutGivenInCodeIsRefusedWhenNegativeOrFinerThanAMillisecond() {
        for (Duration bad : List.of(Duration.ofMillis(-1), Duration.ofNanos(1_500_000))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DepartureFilter(bad));
            assertTrue(e.getMessage().contains("whole number of milliseconds"), e.getMessage());
        }
    }

    private static FilterConfig config(Map<String, String> parameters) {
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "departures";
            }

            @Override
            public ServletContext getServletContext() {
                return null;
            }

            @Override
            public String getInitParameter(String name) {
                return parameters.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(parameters.keySet());
            }
        };
    }

    private static String readResponse(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\nok")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed after: " + sb);
            }
            sb.append((char) b);
            if (sb.length() > 4096) {
                throw new AssertionError("no response: " + sb);
            }
        }
        return sb.toString();
    }

    private static void assertDeparted(Stream stream, Departure departure) throws InterruptedException {
        awaitTrue(() -> stream.error != null, "onError ran");
        ClientDepartedException e = assertInstanceOf(ClientDepartedException.class, stream.error);
        assertEquals(departure, e.departure());
        assertEquals(departure, stream.departureAttribute);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WITHIN.toMillis() + " ms: " + what);
            }
            Thread.sleep(5);
        }
    }
}
