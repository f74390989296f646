package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Child;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.SseReaderProcess;
import io.lifeline.testing.TestServer;
import io.lifeline.watch.jetty.JettyHttp1Watch;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A reader whose process is frozen (SIGSTOP) while its kernel still acknowledges every byte: no watch and no TCP
 * timeout can tell it from a quiet, healthy client, so on a quiet topic only the maximum lifetime ends it, watched
 * or not. Its stream ends telling it where to resume; once thawed, it reconnects and misses nothing published while
 * it was frozen.
 */
class FrozenReaderTest {

    private static final Duration LIFETIME = Duration.ofSeconds(3);
    private static final DepartureReport REPORT = new DepartureReport("Embedded Jetty 12.1, HTTP/1.1, a reader "
            + "stopped with SIGSTOP on a quiet topic, heartbeat 500 ms, LIFELINE_MAX_LIFETIME=3s; time from the "
            + "subscriber's start");

    @AfterAll
    static void writeReport() throws IOException {
        REPORT.write("embedded-frozen-reader");
    }

    @Test
    void aFrozenReaderIsEndedByTheMaximumLifetimeAndResumesGapFreeOnceThawed() throws IOException {
        String topic = "https://example.com/frozen/" + UUID.randomUUID();
        String path = "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        try (TestServer server = TestServer.start(Map.of(Setting.HEARTBEAT, "500ms",
                Setting.MAX_LIFETIME, "3s"));
             Http http = new Http();
             Child reader = Child.start("frozen-reader", SseReaderProcess.command("127.0.0.1", server.port(), path,
                     true))) {
            reader.await(Duration.ofSeconds(10), "its cursor", line -> line.startsWith("CURSOR "));
            Subscriber subscriber = server.awaitSubscriber(topic);
            assertEquals(JettyHttp1Watch.KIND, subscriber.watchKind());
            publish(server, http, topic, "before-1");
            reader.await(Duration.ofSeconds(5), "the first update", line -> line.startsWith("EVENT before-1 "));

            reader.signal("STOP");
            Poll.until(LIFETIME.plusSeconds(2), "the maximum lifetime ends the frozen reader", subscriber::isEnded);
            assertEquals(EndReason.MAX_LIFETIME, subscriber.endReason());
            assertTrue(subscriber.age().compareTo(LIFETIME.plusMillis(100)) <= 0, "lived " + subscriber.age());
            REPORT.add("frozen reader (SIGSTOP), watch " + subscriber.watchKind(), "maximum lifetime",
                    EndReason.MAX_LIFETIME.label(), subscriber.age().toNanos() / 1000);

            publish(server, http, topic, "while-frozen-1");
            publish(server, http, topic, "while-frozen-2");
            reader.signal("CONT");

            reader.await(Duration.ofSeconds(10), "what was published while it was frozen",
                    line -> line.startsWith("EVENT while-frozen-2 "));
            String reconnect = reader.await(Duration.ofSeconds(1), "a reconnection",
                    line -> line.startsWith("RECONNECT "));
            assertTrue(reconnect.startsWith("RECONNECT urn:lifeline:position:"),
                    "it resumed from the cursor the hub gave it before ending: " + reconnect);
            List<String> events = reader.lines().stream().filter(line -> line.startsWith("EVENT ")).toList();
            assertEquals(List.of("EVENT before-1 before-1", "EVENT while-frozen-1 while-frozen-1",
                    "EVENT while-frozen-2 while-frozen-2"), events, "every update once, in order");
        }
    }

    private static void publish(TestServer server, Http http, String topic, String id) throws IOException {
        assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                "topic", topic, "id", id, "data", id).status());
    }
}
