package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Http;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Publishing and subscribing over real HTTP: what reaches whom, in what framing, and what is refused. */
class PublishSubscribeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        http = new Http();
    }

    @AfterAll
    static void stop() throws IOException {
        http.close();
        server.close();
    }

    @Test
    void aSubscriptionStreamStartsAtOnceWithTheRightHeaders() throws IOException {
        try (RawSseClient client = subscribe(topic())) {
            assertEquals(200, client.awaitHead(WAIT));
            client.awaitBody(":\n\n", WAIT);
            assertTrue(client.header("Content-Type").startsWith("text/event-stream"), client.header("Content-Type"));
            assertTrue(client.header("Cache-Control").contains("no-cache"), client.header("Cache-Control"));
            assertEquals("no", client.header("X-Accel-Buffering"));
            assertEquals("close", client.header("Connection"));
            assertEquals(null, client.header("Content-Encoding"));
        }
    }

    @Test
    void anUpdateReachesSubscribersOfItsTopicAndOfStarButNoOthers() throws IOException {
        String books = topic();
        String authors = topic();
        try (RawSseClient bookReader = subscribe(books);
             RawSseClient authorReader = subscribe(authors);
             RawSseClient everything = subscribe("*")) {
            server.awaitSubscriber(books);
            server.awaitSubscriber(authors);
            server.awaitSubscriber("*");
            publishOk("topic", books, "id", "book-1", "data", "a book");
            publishOk("topic", authors, "id", "author-1", "data", "an author");

            bookReader.awaitBody("id: book-1\ndata: a book\n\n", WAIT);
            authorReader.awaitBody("id: author-1\ndata: an author\n\n", WAIT);
            everything.awaitBody("id: author-1", WAIT);
            assertTrue(everything.body().contains("id: book-1"));
            assertFalse(bookReader.body().contains("author-1"), "a book reader received an author update");
            assertFalse(authorReader.body().contains("book-1"), "an author reader received a book update");
        }
    }

    @Test
    void anUpdateForSeveralTopicsReachesASubscriberOfSeveralOfThemOnce() throws IOException {
        String canonical = topic();
        String alternate = topic();
        try (RawSseClient client = subscribeToBoth(canonical, alternate)) {
            server.awaitSubscriber(canonical);
            publishOk("topic", canonical, "topic", alternate, "id", "once", "data", "x");
            publishOk("topic", canonical, "id", "after", "data", "y");
            client.awaitBody("id: after", WAIT);
            assertEquals(1, client.body().split("id: once\n", -1).length - 1, client.body());
        }
    }

    @Test
    void aSubscriberOfAnAlternateTopicReceivesTheUpdate() throws IOException {
        String canonical = topic();
        String alternate = topic();
        try (RawSseClient client = subscribe(alternate)) {
            server.awaitSubscriber(alternate);
            publishOk("topic", canonical, "topic", alternate, "id", "alt", "data", "x");
            client.awaitBody("id: alt\n", WAIT);
        }
    }

    @Test
    void publishingAnswersTheGivenIdOrAGeneratedUrnUuid() throws IOException {
        Http.Response given = publish("topic", topic(), "id", "https://example.com/revisions/7", "data", "x");
        assertEquals(200, given.status());
        assertTrue(given.header("Content-Type").startsWith("text/plain"), given.header("Content-Type"));
        assertEquals("https://example.com/revisions/7", given.body());

        Http.Response generated = publish("topic", topic(), "data", "x");
        assertEquals(200, generated.status());
        assertTrue(generated.body().matches("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
                generated.body());
    }

    @Test
    void everyLineOfDataBecomesItsOwnDataLineWhateverTheLineBreak() throws IOException {
        String topic = topic();
        try (RawSseClient client = subscribe(topic)) {
            server.awaitSubscriber(topic);
            publishOk("topic", topic, "id", "lines", "type", "book", "retry", "2500",
                    "data", "one\ntwo\r\nthree\rfour\n");
            publishOk("topic", topic, "id", "empty");
            client.awaitBody("id: empty", WAIT);
            assertTrue(client.body().contains("event: book\nretry: 2500\nid: lines\n"
                    + "data: one\ndata: two\ndata: three\ndata: four\ndata: \n\n"), client.body());
            assertTrue(client.body().contains("id: empty\ndata: \n\n"), client.body());
        }
    }

    @ParameterizedTest(name = "{0} = {1} is refused with 400")
    @CsvSource(delimiter = '|', value = {
        "id   | a\\nevent: forged",
        "id   | a\\rdata: forged",
        "id   | a\\r\\n\\r\\ndata: forged",
        "id   | a\\0b",
        "id   | #fragment",
        "type | a\\ndata: forged",
        "type | a\\rid: forged",
        "type | a\\r\\nretry: 1",
        "type | a\\0b",
        "retry | soon",
        "retry | -1",
        "retry | 1.5",
    })
    void fieldsThatCouldBreakTheEventStreamAreRefused(String field, String value) throws IOException {
        String topic = topic();
        try (RawSseClient client = subscribe(topic)) {
            server.awaitSubscriber(topic);
            Http.Response r = publish("topic", topic, field, unescape(value), "data", "forged?");
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains(field), "the reason names the field: " + r.body());
            publishOk("topic", topic, "id", "clean", "data", "clean");
            client.awaitBody("id: clean", WAIT);
            assertFalse(client.body().contains("forged"), client.body());
        }
    }

    @Test
    void aPublishWithoutTopicIsRefusedWith400() throws IOException {
        Http.Response r = publish("data", "x");
        assertEquals(400, r.status());
        assertTrue(r.body().contains("topic"), r.body());
    }

    @Test
    void publishingToTheHubsReservedNamespaceIsRefusedWith400() throws IOException {
        for (String topic : List.of("/.well-known/mercure/subscriptions/x/y", "https://hub.example/.well-known/mercure",
                "/.well-known/%6Dercure/subscriptions/x/y", "https://a.example/.well-known/x/../mercure/y",
                "mercure/subscriptions/x", "https:\\\\a.example\\.well-known\\mercure\\x")) {
            Http.Response r = publish("topic", "https://example.com/fine", "topic", topic, "data",
                    "{\"active\":false}");
            assertEquals(400, r.status(), topic + ": " + r.body());
            assertTrue(r.body().contains("reserved namespace"), r.body());
        }
        for (String topic : List.of("https://example.com/.well-known/mercure-docs", "urn:example:/.well-known/mercure",
                "https://example.com/docs?ref=/.well-known/mercure")) {
            assertEquals(200, publish("topic", topic).status(), topic);
        }
    }

    @Test
    void aBodyLargerThanTheLimitIsRefusedWith413BeforeItIsRead() throws IOException {
        try (TestServer small = TestServer.start(Map.of(io.lifeline.config.Setting.MAX_UPDATE_BYTES, "1KiB"))) {
            byte[] body = Http.form("topic", "t", "data", "x".repeat(2000));
            Http.Response r = http.post(small.uri("/.well-known/mercure"), small.publisherToken(),
                    "application/x-www-form-urlencoded", body);
            assertEquals(413, r.status(), r.body());
            Http.Response fits = http.post(small.uri("/.well-known/mercure"), small.publisherToken(),
                    "application/x-www-form-urlencoded", Http.form("topic", "t", "data", "x".repeat(900)));
            assertEquals(200, fits.status(), fits.body());
        }
    }

    @Test
    void aBodyLargerThanTheContainersOwnFormLimitIsStillReadInFull() throws IOException {
        // Jetty refuses form bodies over 200,000 bytes; Lifeline reads the body itself, up to its own limit.
        String topic = topic();
        String data = "y".repeat(600_000);
        try (RawSseClient client = subscribe(topic)) {
            server.awaitSubscriber(topic);
            publishOk("topic", topic, "id", "large", "data", data);
            client.awaitBody("id: large\ndata: " + data + "\n\n", WAIT);
        }
    }

    @Test
    void aChunkedBodyLargerThanTheLimitIsRefusedWith413AsItArrives() throws IOException {
        try (TestServer small = TestServer.start(Map.of(io.lifeline.config.Setting.MAX_UPDATE_BYTES, "1KiB"));
             java.net.Socket socket = new java.net.Socket("127.0.0.1", small.port())) {
            String chunk = "topic=t&data=" + "x".repeat(2000);
            String request = "POST /.well-known/mercure HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + small.publisherToken() + "\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n" + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
        }
    }

    @ParameterizedTest(name = "Content-Type {0} is refused with 415")
    @CsvSource({"application/json", "text/plain", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded; charset=iso-8859-1"})
    void anotherContentTypeIsRefusedWith415(String contentType) throws IOException {
        Http.Response r = http.post(server.uri("/.well-known/mercure"), server.publisherToken(), contentType,
                Http.form("topic", "t", "data", "x"));
        assertEquals(415, r.status(), r.body());
    }

    @Test
    void aFormBodyThatIsNotUtf8IsRefusedWith400() throws IOException {
        Http.Response r = http.post(server.uri("/.well-known/mercure"), server.publisherToken(),
                "application/x-www-form-urlencoded", "topic=t&data=%C3%28".getBytes(StandardCharsets.US_ASCII));
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("UTF-8"), r.body());
    }

    @Test
    void utf8DataArrivesIntact() throws IOException {
        String topic = topic();
        try (RawSseClient client = subscribe(topic)) {
            server.awaitSubscriber(topic);
            publishOk("topic", topic, "id", "utf8", "data", "Grüße, 世界 🚀");
            client.awaitBody("data: Grüße, 世界 🚀\n", WAIT);
        }
    }

    @Test
    void aSubscriptionWithoutTopicIsRefusedWith400() throws IOException {
        Http.Response r = http.get(server.uri("/.well-known/mercure"), null);
        assertEquals(400, r.status());
        assertTrue(r.body().contains("topic"), r.body());
    }

    @Test
    void aSubscriptionWithTooManyTopicsIsRefusedWith400() throws IOException {
        StringBuilder query = new StringBuilder("/.well-known/mercure?topic=0");
        for (int i = 1; i <= Limits.MAX_TOPICS; i++) {
            query.append("&topic=").append(i);
        }
        Http.Response r = http.get(server.uri(query.toString()), null);
        assertEquals(400, r.status(), r.body());
    }

    @Test
    void otherMethodsOnTheHubAreRefusedWith405() throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("PUT /.well-known/mercure HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 405"), response);
        }
    }

    @Test
    void aPrivateUpdateReachesOnlySubscribersWhoseTokenCoversOneOfItsTopics() throws IOException {
        String topic = topic();
        String allowed = Tokens.subscriber(TestServer.KEY, topic);
        String other = Tokens.subscriber(TestServer.KEY, "https://example.com/elsewhere");
        try (RawSseClient authorized = subscribe(topic, "Authorization: Bearer " + allowed);
             RawSseClient unauthorized = subscribe(topic, "Authorization: Bearer " + other);
             RawSseClient anonymous = subscribe(topic)) {
            awaitSubscribers(topic, 3);
            publishOk("topic", topic, "id", "secret", "data", "for your eyes", "private", "on");
            publishOk("topic", topic, "id", "public", "data", "for everyone");
            authorized.awaitBody("id: public", WAIT);
            unauthorized.awaitBody("id: public", WAIT);
            anonymous.awaitBody("id: public", WAIT);
            assertTrue(authorized.body().contains("id: secret"), authorized.body());
            assertFalse(unauthorized.body().contains("secret"), unauthorized.body());
            assertFalse(anonymous.body().contains("secret"), anonymous.body());
        }
    }

    // helpers

    private static String topic() {
        return "https://example.com/books/" + UUID.randomUUID();
    }

    private static RawSseClient subscribe(String topic, String... headers) throws IOException {
        return subscribe(new String[] {topic}, headers);
    }

    private static RawSseClient subscribeToBoth(String first, String second) throws IOException {
        return subscribe(new String[] {first, second});
    }

    private static RawSseClient subscribe(String[] topics, String... headers) throws IOException {
        StringBuilder query = new StringBuilder("/.well-known/mercure?");
        for (String t : topics) {
            query.append("topic=").append(URLEncoder.encode(t, StandardCharsets.UTF_8)).append('&');
        }
        RawSseClient client = RawSseClient.open(server.port(), query.substring(0, query.length() - 1), headers);
        client.awaitBody(":\n\n", WAIT);
        return client;
    }

    private static void awaitSubscribers(String topic, int count) {
        io.lifeline.testing.Poll.until(WAIT, count + " subscribers of " + topic,
                () -> server.hub().subscribers().stream().filter(s -> s.topics().contains(topic)).count() == count);
    }

    private static Http.Response publish(String... fields) throws IOException {
        return http.publish(server.uri("/.well-known/mercure"), server.publisherToken(), fields);
    }

    private static void publishOk(String... fields) throws IOException {
        Http.Response r = publish(fields);
        assertEquals(200, r.status(), r.body());
    }

    private static String unescape(String csv) {
        return csv.replace("\\n", "\n").replace("\\r", "\r").replace("\\0", "\0");
    }
}
