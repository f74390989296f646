package io.lifeline.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeline.spring.RunningApp.Container;
import io.lifeline.spring.sample.McpApplication;
import io.lifeline.testing.HalfClosingProxy;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.ai.mcp.server.webmvc.transport.WebMvcSseServerTransportProvider;

/**
 * Spring AI's Spring MVC SSE transport for the Model Context Protocol keeps a session per client until the client's
 * stream ends; behind a proxy that half-closes, the stream never ends by itself. With the starter, the session is
 * removed once the client leaves; without it, it stays.
 */
class McpSessionDepartureTest {

    private static final Duration WITHIN = Duration.ofSeconds(5);

    @ParameterizedTest
    @EnumSource(Container.class)
    void aClientThatLeavesBehindTheProxyIsRemovedFromTheTransportsSessionsWithinASecond(Container container)
            throws Exception {
        try (RunningApp app = mcp(container);
             HalfClosingProxy proxy = new HalfClosingProxy(app.port());
             RawSseClient client = RawSseClient.open(proxy.port(), "/sse")) {
            client.awaitBody("event:endpoint", WITHIN);
            Map<?, ?> sessions = sessions(app);
            Poll.until(WITHIN, "the transport holds the client's session", () -> sessions.size() == 1);

            long left = System.nanoTime();
            client.close(); // the proxy sends the application a FIN and goes on accepting bytes

            Poll.until(Duration.ofSeconds(1), container + ": the session is removed", sessions::isEmpty);
            System.out.printf("%s: MCP session removed %.1f ms after the client left%n", container,
                    (System.nanoTime() - left) / 1e6);
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void withoutTheWatchTheSessionStays(Container container) throws Exception {
        try (RunningApp app = mcp(container, "lifeline.watch.enabled=false");
             HalfClosingProxy proxy = new HalfClosingProxy(app.port());
             RawSseClient client = RawSseClient.open(proxy.port(), "/sse")) {
            client.awaitBody("event:endpoint", WITHIN);
            Map<?, ?> sessions = sessions(app);
            Poll.until(WITHIN, "the transport holds the client's session", () -> sessions.size() == 1);

            client.close();
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (System.nanoTime() < deadline && sessions.size() == 1) {
                Thread.sleep(100);
            }

            assertEquals(1, sessions.size(), "the session stays: nothing tells the transport its client left");
        }
    }

    private static RunningApp mcp(Container container, String... more) {
        String[] properties = new String[more.length + 1];
        properties[0] = "spring.ai.mcp.server.protocol=SSE";
        System.arraycopy(more, 0, properties, 1, more.length);
        return RunningApp.start(McpApplication.class, container, properties);
    }

    /** The transport's own map of sessions, read as it is: the transport offers no other view of it. */
    private static Map<?, ?> sessions(RunningApp app) throws ReflectiveOperationException {
        WebMvcSseServerTransportProvider transport = app.bean(WebMvcSseServerTransportProvider.class);
        Field field = WebMvcSseServerTransportProvider.class.getDeclaredField("sessions");
        field.setAccessible(true);
        return (Map<?, ?>) field.get(transport);
    }
}
