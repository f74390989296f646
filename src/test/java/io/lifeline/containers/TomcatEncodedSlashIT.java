package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tomcat refuses {@code %2F} in paths unless its connector says otherwise, and the subscriptions API needs it for URL
 * topics: without the attribute, the misconfiguration is named, never silent.
 */
class TomcatEncodedSlashIT {

    private static final String URL_TOPIC = "/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Fbooks%2F1";

    @Test
    void aStockConnectorRefusesEncodedSlashesAndLifelineSaysWhichAttributeToSet(@TempDir Path dir) throws IOException {
        try (Container tomcat = new Tomcat("lifeline.it.tomcat11", Files.createDirectories(dir.resolve("base")),
                null, null, null).start(ContainerMatrix.SETTINGS);
             Http http = new Http();
             RawSseClient subscriber = RawSseClient.open(tomcat.port, "/.well-known/mercure?topic=t")) {
            subscriber.awaitBody(":\n\n", Duration.ofSeconds(10));
            assertEquals(400, http.get(tomcat.uri(URL_TOPIC), Tokens.subscriber(ExternalHub.KEY, "*")).status());
            Poll.until(Duration.ofSeconds(5), "the start-up warning naming the attribute",
                    () -> tomcat.output().contains("encodedSolidusHandling=\"passthrough\""));
        }
    }

    @Test
    void aConnectorThatDecodesEncodedSlashesWorksToo(@TempDir Path dir) throws IOException {
        // Lifeline reads the raw request URI, which Tomcat leaves undecoded either way.
        try (Container tomcat = new Tomcat("lifeline.it.tomcat11", Files.createDirectories(dir.resolve("base")),
                null, null, "decode").start(ContainerMatrix.SETTINGS);
             Http http = new Http()) {
            Http.Response r = http.get(tomcat.uri(URL_TOPIC), Tokens.subscriber(ExternalHub.KEY, "*"));
            assertEquals(200, r.status(), r.body());
            assertTrue(r.body().contains("\"id\" : \"" + URL_TOPIC + "\""), r.body());
        }
    }
}
