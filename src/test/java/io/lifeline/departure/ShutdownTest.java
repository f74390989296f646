package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A stopping hub ends every subscriber {@code server-shutdown}, completing each stream cleanly. */
class ShutdownTest {

    @Test
    void stoppingTheServerEndsEverySubscriberServerShutdownWithACleanEndOfStream() throws IOException {
        TestServer server = TestServer.start(Map.of());
        List<RawSseClient> clients = new ArrayList<>();
        List<Subscriber> subscribers = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=shutdown-" + i);
                client.awaitBody(":\n\n", Duration.ofSeconds(5));
                clients.add(client);
                subscribers.add(server.awaitSubscriber("shutdown-" + i));
            }
        } finally {
            server.close();
        }
        for (Subscriber s : subscribers) {
            assertEquals(EndReason.SERVER_SHUTDOWN, s.endReason(), s.toString());
        }
        for (RawSseClient client : clients) {
            assertTrue(client.awaitEof(Duration.ofSeconds(5)), "the stream ends");
            assertTrue(client.completedCleanly(), "the stream ends with its last chunk, not an abort");
            client.close();
        }
    }

    @Test
    void aStoppingHubRefusesNewSubscribersAndUpdatesWith503() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            server.hub().shutdown();
            assertEquals(503, http.get(server.uri("/.well-known/mercure?topic=t"), null).status());
            assertEquals(503, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                    "topic", "t").status());
            Poll.until(Duration.ofSeconds(1), "nothing live", () -> server.hub().subscribers().isEmpty());
        }
    }
}
