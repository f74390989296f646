package io.lifeline.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lifeline.config.Setting;
import io.lifeline.testing.H2Client;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.SseEvents;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The bounded history and reconnection with Last-Event-ID. */
class HistoryTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aSubscriberThatReconnectsWithLastEventIdGetsWhatItMissedThenTheLiveStream() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            String topic = topic();
            for (int i = 1; i <= 5; i++) {
                publish(server, http, topic, "u" + i);
            }
            try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: u2")) {
                assertEquals(200, client.awaitHead(WAIT));
                assertEquals("u2", client.header("Last-Event-ID"));
                client.awaitBody("id: u5\n", WAIT);
                publish(server, http, topic, "u6");
                client.awaitBody("id: u6\n", WAIT);
                assertEquals(List.of("u3", "u4", "u5", "u6"), SseEvents.ids(client.body()));
            }
        }
    }

    @Test
    void theHeaderWinsOverTheQueryParameter() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            String topic = topic();
            for (int i = 1; i <= 3; i++) {
                publish(server, http, topic, "u" + i);
            }
            try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic="
                    + encode(topic) + "&lastEventID=u1", "Last-Event-ID: u2")) {
                client.awaitBody("id: u3\n", WAIT);
                assertEquals("u2", client.header("Last-Event-ID"));
                assertEquals(List.of("u3"), SseEvents.ids(client.body()));
            }
            try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic="
                    + encode(topic) + "&lastEventID=u1")) {
                client.awaitBody("id: u3\n", WAIT);
                assertEquals("u1", client.header("Last-Event-ID"));
                assertEquals(List.of("u2", "u3"), SseEvents.ids(client.body()));
            }
        }
    }

    @Test
    void earliestAnUnknownIdOrAnEvictedOneReplaysEverythingHeldAndAnswersEarliest() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.HISTORY_SIZE, "3")); Http http = new Http()) {
            String topic = topic();
            for (int i = 1; i <= 5; i++) {
                publish(server, http, topic, "u" + i);
            }
            for (String asked : new String[] {"earliest", "never-published", "u1", "\u00e9t\u00e9 %"}) {
                try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: "
                        + new String(asked.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))) {
                    client.awaitBody("id: u5\n", WAIT);
                    assertEquals("earliest", client.header("Last-Event-ID"), asked);
                    assertEquals(List.of("u3", "u4", "u5"), SseEvents.ids(client.body()), asked);
                }
            }
        }
    }

    @Test
    void aReusedIdResumesAfterItsEarliestCopySoThatNothingPublishedAfterItIsSkipped() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            String topic = topic();
            publish(server, http, topic, "dup", "A");
            publish(server, http, topic, "dup", "B"); // a publisher retrying a publish that timed out
            publish(server, http, topic, "c", "C");
            try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: dup")) {
                client.awaitBody("id: c\n", WAIT);
                assertEquals("dup", client.header("Last-Event-ID"));
                assertEquals(List.of("B", "C"), SseEvents.parse(client.body()).stream()
                        .filter(e -> e.data() != null).map(SseEvents.Event::data).toList());
            }
        }
    }

    @Test
    void onceTheEarliestCopyOfAReusedIdIsEvictedTheNextCopyHeldIsTheEarliest() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.HISTORY_SIZE, "3")); Http http = new Http()) {
            String topic = topic();
            publish(server, http, topic, "dup", "A");
            publish(server, http, topic, "x", "X");
            publish(server, http, topic, "dup", "B");
            publish(server, http, topic, "y", "Y"); // evicts the first dup
            try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: dup")) {
                client.awaitBody("id: y\n", WAIT);
                assertEquals("dup", client.header("Last-Event-ID"));
                assertEquals(List.of("y"), SseEvents.ids(client.body()));
            }
        }
    }

    @Test
    void aNonAsciiLastEventIdIsReadAsUtf8AndAnsweredInUtf8() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            String topic = topic();
            publish(server, http, topic, "caf\u00e9-1");
            publish(server, http, topic, "caf\u00e9-2");
            // UTF-8, as browsers and current EventSource libraries send it.
            try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: caf\u00e9-1")) {
                client.awaitBody("id: caf\u00e9-2\n", WAIT);
                assertEquals("caf\u00e9-1", client.headerUtf8("Last-Event-ID"));
                assertEquals(List.of("caf\u00e9-2"), SseEvents.ids(client.body()));
            }
            // ISO-8859-1, as older clients send it: bytes that are not UTF-8 are read as Latin-1.
            try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic="
                    + encode(topic), StandardCharsets.ISO_8859_1, "Last-Event-ID: caf\u00e9-1")) {
                client.awaitBody("id: caf\u00e9-2\n", WAIT);
                assertEquals("caf\u00e9-1", client.headerUtf8("Last-Event-ID"));
                assertEquals(List.of("caf\u00e9-2"), SseEvents.ids(client.body()));
            }
        }
    }

    @Test
    void overHttp2TooANonAsciiLastEventIdIsReadAsUtf8AndAnsweredInUtf8() throws Exception {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http();
             H2Client client = H2Client.connect(server.port(), false)) {
            String topic = topic();
            publish(server, http, topic, "caf\u00e9-1");
            publish(server, http, topic, "caf\u00e9-2");
            String utf8OnTheWire = new String("caf\u00e9-1".getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.ISO_8859_1);
            H2Client.SseStream stream = client.get("/.well-known/mercure?topic=" + encode(topic),
                    "Last-Event-ID", utf8OnTheWire);
            stream.awaitBody("id: caf\u00e9-2\n", WAIT);
            assertEquals(utf8OnTheWire, stream.header("Last-Event-ID"));
            assertEquals(List.of("caf\u00e9-2"), SseEvents.ids(stream.body()));
        }
    }

    @Test
    void theHistoryIsBoundedInBytesToo() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.HISTORY_BYTES, "2KiB")); Http http = new Http()) {
            String topic = topic();
            for (int i = 1; i <= 5; i++) {
                assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic, "id", "u" + i, "data", "x".repeat(900)).status());
            }
            try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: earliest")) {
                client.awaitBody("id: u5\n", WAIT);
                assertEquals(List.of("u4", "u5"), SseEvents.ids(client.body()));
            }
        }
    }

    @Test
    void withoutLastEventIdNothingIsReplayedAndNoLastEventIdIsAnswered() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            String topic = topic();
            publish(server, http, topic, "old");
            try (RawSseClient client = subscribe(server, topic)) {
                client.awaitBody(":\n\n", WAIT);
                assertNull(client.header("Last-Event-ID"));
                publish(server, http, topic, "new");
                client.awaitBody("id: new\n", WAIT);
                assertEquals(List.of("new"), SseEvents.ids(client.body()));
            }
        }
    }

    @Test
    void aReplayIncludesOnlyTheSubscribedTopicsAndThePrivateUpdatesTheTokenAllows() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            String mine = topic();
            String other = topic();
            publish(server, http, mine, "public-1");
            publish(server, http, other, "elsewhere");
            assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                    "topic", mine, "id", "secret", "private", "on").status());
            publish(server, http, mine, "public-2");
            try (RawSseClient anonymous = subscribe(server, mine, "Last-Event-ID: earliest");
                 RawSseClient authorized = subscribe(server, mine, "Last-Event-ID: earliest",
                         "Authorization: Bearer " + Tokens.subscriber(TestServer.KEY, mine))) {
                anonymous.awaitBody("id: public-2\n", WAIT);
                authorized.awaitBody("id: public-2\n", WAIT);
                assertEquals(List.of("public-1", "public-2"), SseEvents.ids(anonymous.body()));
                assertEquals(List.of("public-1", "secret", "public-2"), SseEvents.ids(authorized.body()));
            }
        }
    }

    @Test
    void subscriptionEventsNeverPushPublishersUpdatesOutOfTheHistory() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.HISTORY_SIZE, "3")); Http http = new Http()) {
            String topic = topic();
            for (int i = 1; i <= 3; i++) {
                publish(server, http, topic, "u" + i);
            }
            for (int i = 0; i < 10; i++) { // each comes and goes: 20 subscription events
                try (RawSseClient passing = subscribe(server, "https://example.com/passing/" + i)) {
                    passing.awaitBody(":\n\n", WAIT);
                }
            }
            try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: earliest")) {
                client.awaitBody("id: u3\n", WAIT);
                assertEquals(List.of("u1", "u2", "u3"), SseEvents.ids(client.body()));
            }
        }
    }

    /**
     * The hand-over from history to live updates: subscribers reconnect while updates are published as fast as the
     * publisher can, and each receives exactly the updates after the one it named, none missing, none twice.
     */
    @Test
    void theHandOverFromHistoryToLiveUpdatesHasNoGapAndNoDuplicateUnderConcurrentPublishing() throws Exception {
        int updates = 2000;
        int reconnections = 20;
        try (TestServer server = TestServer.start(Map.of(Setting.HISTORY_SIZE, "5000")); Http http = new Http()) {
            String topic = topic();
            List<String> published = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread publisher = new Thread(() -> {
                try (Http own = new Http()) {
                    for (int i = 0; i < updates; i++) {
                        publish(server, own, topic, "u" + i);
                        published.add("u" + i);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "publisher");
            publish(server, http, topic, "start");
            publisher.start();

            List<RawSseClient> clients = new ArrayList<>();
            List<Integer> after = new ArrayList<>();
            try {
                for (int r = 0; r < reconnections; r++) {
                    int due = r * (updates / reconnections); // spread the reconnections over the publishing
                    Poll.until(Duration.ofSeconds(30), due + " updates published", () -> published.size() >= due);
                    int seen = Math.max(0, published.size() - 1 - (r % 5) * 7); // some behind, some at the edge
                    String lastSeen = seen == 0 ? "start" : "u" + (seen - 1);
                    clients.add(subscribe(server, topic, "Last-Event-ID: " + lastSeen));
                    after.add(seen);
                }
                publisher.join(60_000);
                for (int r = 0; r < reconnections; r++) {
                    RawSseClient client = clients.get(r);
                    client.awaitBody("id: u" + (updates - 1) + "\n", Duration.ofSeconds(30));
                    List<String> expected = new ArrayList<>();
                    for (int i = after.get(r); i < updates; i++) {
                        expected.add("u" + i);
                    }
                    assertEquals(expected, SseEvents.ids(client.body()), "reconnection " + r);
                }
            } finally {
                for (RawSseClient client : clients) {
                    client.close();
                }
            }
        }
    }

    private static String topic() {
        return "https://example.com/history/" + UUID.randomUUID();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static RawSseClient subscribe(TestServer server, String topic, String... headers) throws IOException {
        return RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + encode(topic), headers);
    }

    private static void publish(TestServer server, Http http, String topic, String id) throws IOException {
        publish(server, http, topic, id, id);
    }

    private static void publish(TestServer server, Http http, String topic, String id, String data)
            throws IOException {
        Http.Response r = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                "topic", topic, "id", id, "data", data);
        assertEquals(200, r.status(), r.body());
    }
}
