package io.lifeline.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeline.testing.Http;
import io.lifeline.testing.LiveEvents;
import io.lifeline.testing.Poll;
import io.lifeline.testing.PrometheusText;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Lifeline in another process, observed the way an operator would: its subscriptions API and its metrics. */
final class ExternalHub implements AutoCloseable {

    static final String KEY = "an-integration-test-key-long-enough-for-hs256";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Container container;
    private final Http http = new Http();
    private final String reader = Tokens.subscriber(KEY, "*");

    ExternalHub(Container container) {
        this.container = container;
    }

    void publish(String topic, String id) {
        publish(topic, id, id);
    }

    void publish(String topic, String id, String data) {
        try {
            Http.Response r = http.publish(container.uri("/.well-known/mercure"), Tokens.publisher(KEY, "*"),
                    "topic", topic, "id", id, "data", data);
            if (r.status() != 200) {
                throw new AssertionError("publish answered " + r.status() + ": " + r.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The active subscriptions to exactly this topic, from the subscriptions API. */
    JsonNode subscriptionsOf(String topic) {
        try {
            // A path segment: form encoding's '+' for a space would be a literal '+' there.
            return subscriptionsApi("/.well-known/mercure/subscriptions/"
                    + URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20")).get("subscriptions");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A document of the subscriptions API, which must answer 200. */
    JsonNode subscriptionsApi(String path) throws IOException {
        Http.Response r = http.get(container.uri(path), reader);
        if (r.status() != 200) {
            throw new AssertionError("the subscriptions API answered " + r.status() + " at " + path + ": "
                    + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Waits for the one subscriber of this topic and returns its id. */
    String awaitSubscriber(String topic) {
        return Poll.forValue(Duration.ofSeconds(10), "a subscriber of " + topic, () -> {
            JsonNode list = subscriptionsOf(topic);
            return list.size() == 1 ? list.get(0).get("subscriber").asText() : null;
        });
    }

    /** {@code lifeline_subscribers_ended_total} for one reason and one watch. */
    long ended(String reason, String watch) {
        return (long) PrometheusText.find(metrics(), "lifeline_subscribers_ended_total{reason=\"" + reason
                + "\",watch=\"" + watch + "\"}").orElse(0);
    }

    /** Whether {@code started = live + ended}, summed over every label. */
    boolean countersAddUp() {
        String text = metrics();
        return PrometheusText.sum(text, "lifeline_subscribers_started_total")
                == PrometheusText.sum(text, "lifeline_subscribers_live")
                + PrometheusText.sum(text, "lifeline_subscribers_ended_total");
    }

    /** The live view's stream, read with an admin token. */
    RawSseClient openLiveView() throws IOException {
        return container.openClient(container.port, "/.lifeline/live?authorization=" + Tokens.admin(KEY), 0);
    }

    /** Starts the F5 demonstration with an admin token in the header; it must answer 202. */
    void startDemonstration() {
        try {
            Http.Response r = http.send("POST", container.uri("/.lifeline/demonstration/f5"), "Authorization",
                    "Bearer " + Tokens.admin(KEY));
            if (r.status() != 202) {
                throw new AssertionError("the demonstration answered " + r.status() + ": " + r.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code demonstration} event of this step the viewer has read, if any. */
    static Optional<JsonNode> demonstrationStep(RawSseClient viewer, String step) {
        return LiveEvents.of(viewer, "demonstration").stream()
                .filter(event -> event.get("step").asText().equals(step)).findFirst();
    }

    String metrics() {
        try {
            return http.get(container.uri("/metrics"), null).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
