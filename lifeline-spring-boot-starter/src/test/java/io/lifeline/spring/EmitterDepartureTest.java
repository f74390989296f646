package io.lifeline.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.spring.RunningApp.Container;
import io.lifeline.spring.sample.EmittersApplication.Emitters;
import io.lifeline.spring.sample.EmittersApplication.Seen;
import io.lifeline.testing.HalfClosingProxy;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.watch.servlet.Departure;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

/**
 * A Spring Boot 4 application streaming with {@code SseEmitter} ({@link io.lifeline.spring.sample.EmittersApplication}),
 * on embedded Tomcat and on embedded Jetty, with the starter and without it. Clients speak raw HTTP/1.1 and leave
 * with a FIN ({@code shutdownOutput()}), an RST, a plain close, or a FIN through a proxy that half-closes and goes on
 * accepting bytes, as an F5 load balancer does.
 */
class EmitterDepartureTest {

    private static final Duration WITHIN = Duration.ofSeconds(5);

    /** How a client leaves its stream, and the reason the watch gives. */
    enum Leaving {
        FIN(Departure.CLIENT_CLOSED), RST(Departure.CLIENT_RESET), CLOSE(Departure.CLIENT_CLOSED);

        final Departure departure;

        Leaving(Departure departure) {
            this.departure = departure;
        }

        void leave(RawSseClient client) throws IOException {
            switch (this) {
                case FIN -> client.fin();
                case RST -> client.reset();
                case CLOSE -> client.close();
            }
        }
    }

    static Stream<Arguments> containersAndLeavings() {
        return Stream.of(Container.values()).flatMap(c -> Stream.of(Leaving.values()).map(l -> Arguments.of(c, l)));
    }

    @ParameterizedTest
    @MethodSource("containersAndLeavings")
    void aClientThatLeavesRunsTheEmittersOnErrorWithItsReasonThenOnCompletion(Container container, Leaving leaving)
            throws Exception {
        try (RunningApp app = RunningApp.emitters(container);
             RawSseClient client = RawSseClient.open(app.port(), "/events")) {
            client.awaitBody("welcome", WITHIN);
            Seen seen = seen(app, client);

            long left = System.nanoTime();
            leaving.leave(client);

            assertDeparted(app, seen, leaving.departure, left, container + " " + leaving);
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void micrometerCountsDeparturesByReason(Container container) throws Exception {
        try (RunningApp app = RunningApp.emitters(container)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            app.bean("lifelineDepartureMeters", MeterBinder.class).bindTo(registry);
            try (RawSseClient client = RawSseClient.open(app.port(), "/events")) {
                client.awaitBody("welcome", WITHIN);
                Seen seen = seen(app, client);
                client.reset();
                Poll.until(WITHIN, "the emitter completed", () -> seen.completedNanos != 0);
            }
            assertEquals(1.0, registry.get("lifeline.watch.departures").tag("reason", "client-reset")
                    .functionCounter().count());
            assertEquals(0.0, registry.get("lifeline.watch.departures").tag("reason", "client-closed")
                    .functionCounter().count());
            assertEquals(0.0, registry.get("lifeline.watch.unwatched").functionCounter().count());
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aFinThroughAProxyThatKeepsAcceptingBytesIsNoticed(Container container) throws Exception {
        try (RunningApp app = RunningApp.emitters(container);
             HalfClosingProxy proxy = new HalfClosingProxy(app.port());
             RawSseClient client = RawSseClient.open(proxy.port(), "/events")) {
            Seen seen = openedThroughTheProxy(app, client);

            long close = System.nanoTime();
            client.close(); // the proxy sends the application a FIN and goes on accepting bytes

            assertDeparted(app, seen, Departure.CLIENT_CLOSED, close, container + " FIN through the proxy");
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void withoutTheWatchAFinThroughTheProxyIsNotNoticedWithinTenSeconds(Container container) throws Exception {
        try (RunningApp app = RunningApp.emitters(container, "lifeline.watch.enabled=false");
             HalfClosingProxy proxy = new HalfClosingProxy(app.port());
             RawSseClient client = RawSseClient.open(proxy.port(), "/events")) {
            Seen seen = openedThroughTheProxy(app, client);
            Emitters emitters = app.bean(Emitters.class);

            client.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && emitters.open.size() == 1) {
                Thread.sleep(100);
            }

            assertEquals(1, emitters.open.size(), "the emitter leaks: heartbeats go to the proxy, which takes them");
            assertEquals(0, seen.completedNanos, "onCompletion never ran");
            assertEquals(0, emitters.heartbeatsFailed.get(), "no heartbeat failed");
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void emittersTheApplicationCompletesItselfLeaveNoWatchAndNoBrokenNextRequest(Container container)
            throws Exception {
        try (RunningApp app = RunningApp.emitters(container)) {
            Emitters emitters = app.bean(Emitters.class);
            for (int i = 0; i < 100; i++) {
                try (RawSseClient client = RawSseClient.open(app.port(), "/events?complete")) {
                    client.awaitBody("welcome", WITHIN);
                    assertTrue(client.awaitEof(WITHIN), "the completed stream closed its connection");
                }
            }
            Poll.until(WITHIN, "every emitter completed", emitters.open::isEmpty);
            for (Seen seen : emitters.seen.values()) {
                assertNull(seen.error, "no departure for an emitter the application completed");
            }
            DepartureCountsView counts = DepartureCountsView.of(app);
            for (Departure d : Departure.values()) {
                assertEquals(0, counts.departed(d), d.label());
            }
            // a keep-alive connection serves request after request: no watch is left reading it
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", app.port()));
                socket.setSoTimeout((int) WITHIN.toMillis());
                for (int i = 0; i < 20; i++) {
                    String response = get(socket, "/plain");
                    assertTrue(response.startsWith("HTTP/1.1 200"), response);
                    assertFalse(response.toLowerCase().contains("connection: close"), response);
                }
            }
        }
    }

    /** What the application sees of the one stream a client opened through the proxy (its port is the proxy's). */
    private static Seen openedThroughTheProxy(RunningApp app, RawSseClient client) throws IOException {
        client.awaitBody("welcome", WITHIN);
        Emitters emitters = app.bean(Emitters.class);
        Poll.until(WITHIN, "the emitter is open", () -> emitters.open.size() == 1);
        return emitters.seen.values().iterator().next();
    }

    private static Seen seen(RunningApp app, RawSseClient client) throws InterruptedException {
        Emitters emitters = app.bean(Emitters.class);
        Poll.until(WITHIN, "the emitter is open", () -> emitters.seen.containsKey(client.localPort()));
        return emitters.seen.get(client.localPort());
    }

    private static void assertDeparted(RunningApp app, Seen seen, Departure departure, long leftNanos, String what)
            throws InterruptedException {
        // within a second: a heartbeat that fails would take longer; what it takes here is printed, and in the docs
        Poll.until(Duration.ofSeconds(1), what + ": onCompletion ran", () -> seen.completedNanos != 0);
        Poll.until(WITHIN, what + ": onError ran", () -> seen.error != null);
        // Spring MVC hands the emitter its own exception for a client that went away, caused by the starter's,
        // which says how it left
        AsyncRequestNotUsableException notUsable = assertInstanceOf(AsyncRequestNotUsableException.class, seen.error,
                what + ": onError");
        DepartureException e = assertInstanceOf(DepartureException.class, notUsable.getCause(), what);
        assertEquals(departure, e.departure(), what);
        assertEquals(1, DepartureCountsView.of(app).departed(departure), what + ": counted once");
        assertTrue(seen.errorNanos <= seen.completedNanos, what + ": onError before onCompletion");
        assertTrue(app.bean(Emitters.class).open.isEmpty(), what + ": the application's map is empty");
        System.out.printf("%s: onError after %.1f ms, onCompletion after %.1f ms%n", what,
                (seen.errorNanos - leftNanos) / 1e6, (seen.completedNanos - leftNanos) / 1e6);
    }

    private static String get(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("ok")) {
            int b = in.read();
            if (b < 0 || sb.length() > 8192) {
                throw new AssertionError("no response to " + path + ": " + sb);
            }
            sb.append((char) b);
        }
        return sb.toString();
    }
}
