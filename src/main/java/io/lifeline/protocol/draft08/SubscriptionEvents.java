package io.lifeline.protocol.draft08;

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
 * The Mercure 1.0 shape of a subscription event (draft-dunglas-mercure-08, section "Subscription Events"): a private
 * update on {@code /.well-known/mercure/subscriptions/{match_type}/{match}/{subscriber}}, each variable
 * percent-encoded once as a whole (RFC 6570 simple expansion: everything but unreserved characters, {@code %}
 * included), whose data is a plain JSON document ({@code id}, {@code type: "subscription"}, {@code match_type},
 * {@code match}, {@code subscriber}, {@code active}, {@code payload} when the token has one) and whose SSE
 * {@code event} is the reserved {@value #EVENT_TYPE}, which no publisher may use.
 */
public final class SubscriptionEvents {

    /** The SSE {@code event} of the hub's subscription events, reserved to the hub. */
    public static final String EVENT_TYPE = Update.HUB_EVENT_TYPE;
    /** The topics of subscription events begin with this. */
    public static final String PREFIX = "/.well-known/mercure/subscriptions/";

    private static final Escaper ESCAPER = new PercentEscaper("-_.~", false);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SubscriptionEvents() {
    }

    /** The topic of the events of one subscription, which is also its document's {@code id}. */
    public static String topic(String matchType, String match, String subscriber) {
        return PREFIX + ESCAPER.escape(matchType) + "/" + ESCAPER.escape(match) + "/" + ESCAPER.escape(subscriber);
    }

    /**
     * The document of one subscription, as its events and the subscriptions API show it: {@code id} (its events'
     * topic), {@code type: "subscription"}, {@code match_type}, {@code match}, {@code subscriber}, {@code active},
     * and {@code payload} when there is one.
     */
    public static ObjectNode document(String matchType, String match, String subscriber, JsonNode payload,
                                      boolean active) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", topic(matchType, match, subscriber));
        body.put("type", "subscription");
        body.put("match_type", matchType);
        body.put("match", match);
        body.put("subscriber", subscriber);
        body.put("active", active);
        if (payload != null) {
            body.set("payload", payload);
        }
        return body;
    }

    /**
     * A collection of the subscriptions API (section "Subscription API"): {@code id} (the URL it was asked for),
     * {@code type: "subscriptions"}, {@code subscriptions}.
     */
    public static ObjectNode collection(String id, List<ObjectNode> subscriptions) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.put("type", "subscriptions");
        body.putArray("subscriptions").addAll(subscriptions);
        return body;
    }

    /**
     * The {@code Link} header every answer of the subscriptions API carries: the hub, {@code rel="mercure"}, the
     * reconciliation cursor as {@code last-event-id}, and the stream's {@code type} and {@code content-type}
     * (RFC 8288; values as quoted strings, a quote or backslash escaped).
     *
     * @param hubUrl the hub's absolute URL
     * @param cursor the id of the last update the hub dispatched, or {@code earliest}
     */
    public static String link(String hubUrl, String cursor) {
        return "<" + hubUrl + ">; rel=\"mercure\"; last-event-id=\"" + cursor.replace("\\", "\\\\")
                .replace("\"", "\\\"") + "\"; type=\"" + EVENT_TYPE + "\"; content-type=\"application/json\"";
    }

    /**
     * The private update announcing that one subscription started or ended.
     *
     * @param id        the update's id, which the hub chooses
     * @param matchType the matcher type's canonical name ({@code exact})
     * @param payload   the subscriber's token's payload, or null
     */
    public static Update event(String id, String matchType, String match, String subscriber, JsonNode payload,
                               boolean active) {
        String topic = topic(matchType, match, subscriber);
        ObjectNode body = document(matchType, match, subscriber, payload, active);
        try {
            return new Update(id, List.of(topic), JSON.writeValueAsString(body), EVENT_TYPE,
                    OptionalLong.empty(), true);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a subscription document did not serialize", e);
        }
    }
}
