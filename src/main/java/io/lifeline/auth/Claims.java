package io.lifeline.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeline.topic.Matcher;
import io.lifeline.topic.TopicMatcher;
import java.time.Instant;
import java.util.List;

/**
 * What a verified token grants, in the one model both dialects map onto: actions on lists of topic matchers.
 *
 * <p>A draft-07 token's {@code mercure.publish} and {@code mercure.subscribe} selectors become
 * {@link Matcher.Type#SELECTOR} matchers and its {@code mercure.payload} a payload for every subscription. A
 * Mercure 1.0 access token's {@code authorization_details} become the matchers of its {@code publish} and
 * {@code subscribe} actions, and each {@code subscribe} detail's {@code payload} the payload of the subscriptions
 * that detail matches (Mercure 1.0, section "Payloads").</p>
 *
 * @param form      which dialect's claims granted this
 * @param publish   the matchers of the topics it may publish to; empty when none
 * @param subscribe the matchers of the topics whose private updates it may receive; empty when none
 * @param payloads  in the token's order, where subscription payloads come from
 * @param expiresAt {@code exp}, or null when the token does not expire (draft-07 only)
 * @param admin     whether the token also carries Lifeline's own {@link AdminClaim}
 */
public record Claims(Form form, List<Matcher> publish, List<Matcher> subscribe, List<Payload> payloads,
                     Instant expiresAt, boolean admin) {

    /** The claims a token's grants were read from. */
    public enum Form {
        /** Draft-07: the {@code mercure} claim (section "Authorization"). */
        MERCURE_CLAIM("the token's mercure.publish selectors", "the token's mercure.subscribe selectors"),
        /** Mercure 1.0: {@code authorization_details} (RFC 9396; section "Authorization Details"). */
        AUTHORIZATION_DETAILS("the token's publish grants (authorization_details)",
                "the token's subscribe grants (authorization_details)");

        private final String publishGrants;
        private final String subscribeGrants;

        Form(String publishGrants, String subscribeGrants) {
            this.publishGrants = publishGrants;
            this.subscribeGrants = subscribeGrants;
        }

        /** How refusals name the publish grants, in this form's terms. */
        public String publishGrants() {
            return publishGrants;
        }

        /** How refusals name the subscribe grants, in this form's terms. */
        public String subscribeGrants() {
            return subscribeGrants;
        }
    }

    /**
     * A payload and the subscriptions it belongs to.
     *
     * @param topics the matchers a subscription's own matcher, read as a topic, must match; null for every one
     * @param value  the JSON value, or null where the granting detail carries none
     */
    public record Payload(List<Matcher> topics, JsonNode value) {
        public Payload {
            topics = topics == null ? null : List.copyOf(topics);
        }
    }

    public Claims {
        publish = List.copyOf(publish);
        subscribe = List.copyOf(subscribe);
        payloads = List.copyOf(payloads);
    }

    /** A draft-07 token's claims. */
    public static Claims mercure(List<String> publish, List<String> subscribe, JsonNode payload, Instant expiresAt,
                                 boolean admin) {
        return new Claims(Form.MERCURE_CLAIM, publish == null ? List.of() : Matcher.selectors(publish),
                subscribe == null ? List.of() : Matcher.selectors(subscribe),
                payload == null ? List.of() : List.of(new Payload(null, payload)), expiresAt, admin);
    }

    /**
     * The instant from which the hub refuses this token, and ends a stream opened with it: {@code exp} plus
     * {@link TokenVerifier#LEEWAY} for clock skew (RFC 7519, section 4.1.4: "the current date/time MUST be before the
     * expiration date/time"; "some small leeway"), to the millisecond, whichever dialect issued it; null when the token
     * does not expire.
     */
    public Instant refusedFrom() {
        return expiresAt == null ? null : expiresAt.plus(TokenVerifier.LEEWAY);
    }

    /** Whether the token is refused at {@code now}: {@link #refusedFrom()} has come. */
    public boolean expiredAt(Instant now) {
        Instant refused = refusedFrom();
        return refused != null && !now.isBefore(refused);
    }

    /** The reason a request with an expired token is refused, with when it expired. */
    public String expiredReason() {
        return expiredReason(expiresAt);
    }

    /** The reason a request with a token that expired at {@code exp} is refused, whichever check found it. */
    public static String expiredReason(Instant exp) {
        return "the token has expired: exp " + exp + ", refused from " + exp.plus(TokenVerifier.LEEWAY) + " ("
                + TokenVerifier.LEEWAY.toSeconds() + " s allowed for clock skew)";
    }

    /**
     * The payload of a subscription: the first payload entry whose matchers match the subscription's own matcher
     * value, read as a topic, whether or not that entry carries a value (Mercure 1.0, section "Payloads": the first
     * matching {@code subscribe} detail wins); for a draft-07 token, its {@code mercure.payload}.
     *
     * @return the payload, or null for none
     */
    public JsonNode payloadFor(String subscription, TopicMatcher matcher) {
        for (Payload payload : payloads) {
            if (payload.topics() == null) {
                return payload.value();
            }
            for (Matcher m : payload.topics()) {
                if (matcher.matches(m, subscription)) {
                    return payload.value();
                }
            }
        }
        return null;
    }
}
