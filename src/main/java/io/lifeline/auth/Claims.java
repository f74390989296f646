package io.lifeline.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * What a verified token grants: its {@code mercure} claim and its expiry.
 *
 * @param publish   {@code mercure.publish} selectors, or null when the token has none
 * @param subscribe {@code mercure.subscribe} selectors, or null when the token has none
 * @param payload   {@code mercure.payload}, or null
 * @param expiresAt {@code exp}, or null when the token does not expire
 */
public record Claims(List<String> publish, List<String> subscribe, JsonNode payload, Instant expiresAt) {

    public Claims {
        publish = publish == null ? null : List.copyOf(publish);
        subscribe = subscribe == null ? null : List.copyOf(subscribe);
    }
}
