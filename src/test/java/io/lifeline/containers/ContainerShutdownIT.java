package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.SseEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stopping a container drains the hub before the container closes its connections: every subscriber is told when
 * to reconnect, then its stream ends cleanly, and the container stops without waiting out its stop timeout.
 */
class ContainerShutdownIT {

    private static final int CLIENTS = 5;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty-home ee10, SIGTERM", "jetty-home ee11, SIGTERM", "jetty-home ee10, start.jar --stop",
            "tomcat 10.1, SIGTERM", "tomcat 11, SIGTERM"})
    void aStoppingContainerDrainsEverySubscriberWithAReconnectionHint(String way, @TempDir Path dir)
            throws IOException, InterruptedException {
        Path base = Files.createDirectories(dir.resolve("base"));
        Container container = way.startsWith("jetty-home ee10") ? new JettyHome("ee10", base)
                : way.startsWith("jetty-home ee11") ? new JettyHome("ee11", base)
                : way.startsWith("tomcat 10.1") ? new Tomcat("lifeline.it.tomcat10", base)
                : new Tomcat("lifeline.it.tomcat11", base);
        Map<String, String> settings = new HashMap<>(ContainerMatrix.SETTINGS);
        settings.put("LIFELINE_DRAIN", "2s");
        List<RawSseClient> clients = new ArrayList<>();
        long stopping;
        try (Container running = container.start(settings)) {
            String hook = way.startsWith("jetty-home") ? "JettyStopHook" : "TomcatStopHook";
            Poll.until(Duration.ofSeconds(5), "the start-up line names the stop hook " + hook,
                    () -> running.output().contains("stop hook " + hook));
            for (int i = 0; i < CLIENTS; i++) {
                RawSseClient client = RawSseClient.open(running.port, "/.well-known/mercure?topic=drain-" + i);
                client.awaitBody(":\n\n", Duration.ofSeconds(10));
                clients.add(client);
            }
            stopping = System.nanoTime();
            if (way.endsWith("start.jar --stop")) {
                ((JettyHome) running).stopWithStartJar();
            }
        }
        Duration stopped = Duration.ofNanos(System.nanoTime() - stopping);
        try {
            for (RawSseClient client : clients) {
                assertTrue(client.awaitEof(Duration.ofSeconds(5)), "the stream ends: " + container.output());
                List<SseEvents.Event> events = SseEvents.parse(client.body());
                assertFalse(events.isEmpty(), "no reconnection hint before the end; output:\n" + container.output());
                assertNotNull(events.get(events.size() - 1).retry(), client.body());
                assertTrue(client.completedCleanly(), "the stream was completed, not cut");
            }
        } finally {
            for (RawSseClient client : clients) {
                client.close();
            }
        }
        // Jetty waits out its stop timeout (15 s) for connections still open: the drain (2 s) must end them first.
        assertTrue(stopped.compareTo(Duration.ofSeconds(10)) < 0, "stopped after " + stopped.toMillis() + " ms");

        // In jetty-home too on SIGTERM, where Jetty stops in a JVM shutdown hook: Lifeline logs through Jetty's own
        // logging, which no other shutdown hook takes down (java.util.logging's removes its handlers).
        Poll.until(Duration.ofSeconds(5), "one end line per subscriber, reason server-shutdown:\n"
                + container.output(), () -> container.output().lines()
                .filter(line -> line.contains("reason=server-shutdown")).count() == CLIENTS);
    }
}
