package io.lifeline.protocol.draft07;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.escape.Escaper;
import com.google.common.net.PercentEscaper;
import io.lifeline.protocol.Update;
import java.util.List;
import java.util.OptionalLong;

/**
 * The draft-07 shape of subscriptions (draft-dunglas-mercure-07, section "Active Subscriptions"): JSON-LD documents,
 * the same in the subscriptions API and in the subscription events the hub publishes when a subscription starts or
 * ends, on {@code /.well-known/mercure/subscriptions/{topic}/{subscriber}}.
 */
public final class ActiveSubscriptions {

    /** The subscriptions API, and the prefix of every subscription's id. */
    public static final String PATH = "/.well-known/mercure/subscriptions";
    public static final String CONTEXT = "https://mercure.rocks/";

    /**
     * RFC 6570 simple expansion of {@code {topic}} and {@code {subscriber}}: everything but unreserved characters is
     * percent-encoded, {@code : / { }} included, as the protocol requires.
     */
    private static final Escaper ESCAPER = new PercentEscaper("-_.~", false);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ActiveSubscriptions() {
    }

    /** A subscription's id: its URL in the API, and the topic of its events. */
    public static String id(String topic, String subscriber) {
        return PATH + "/" + ESCAPER.escape(topic) + "/" + ESCAPER.escape(subscriber);
    }

    /**
     * The document of one subscription.
     *
     * @param topic      the subscription's topic selector
     * @param subscriber the subscriber's id
     * @param payload    the payload its subscriber's token gives it, or null
     */
    public static ObjectNode document(String topic, String subscriber, JsonNode payload, boolean active) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id(topic, subscriber));
        node.put("type", "Subscription");
        node.put("topic", topic);
        node.put("subscriber", subscriber);
        node.put("active", active);
        if (payload != null) {
            node.set("payload", payload);
        }
        return node;
    }

    /**
     * The private update announcing that one subscription started or ended.
     *
     * @param id the update's id, which the hub chooses
     */
    public static Update event(String id, String topic, String subscriber, JsonNode payload, boolean active) {
        ObjectNode body = JSON.createObjectNode();
        body.put("@context", CONTEXT);
        body.setAll(document(topic, subscriber, payload, active));
        try {
            return new Update(id, List.of(id(topic, subscriber)), JSON.writeValueAsString(body), null,
                    OptionalLong.empty(), true);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a subscription document did not serialize", e);
        }
    }
}
