package io.lifeline.auth.draft08;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeline.auth.AdminClaim;
import io.lifeline.auth.Claims;
import io.lifeline.protocol.Limits;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.protocol.draft08.MatchParameters;
import io.lifeline.protocol.draft08.ProtectedResourceMetadata;
import io.lifeline.topic.Matcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the grants of a Mercure 1.0 access token: its {@code authorization_details} claim (RFC 9396), of which the
 * entries of type {@value #TYPE} are Mercure's (section "Authorization Details").
 *
 * <p>A Mercure detail has {@code actions}, a non-empty array of strings of which {@code publish} and
 * {@code subscribe} are recognized and any other is ignored; {@code topics}, a non-empty array of topic matcher
 * objects ({@code {"match": "...", "match_type": "exact"}}, the type {@code exact} when absent, {@code *} matching
 * every topic); and optionally {@code payload}, a JSON object, for {@code subscribe} (section "Topic Matcher List",
 * "Payloads"). Entries of other types belong to other APIs and are passed over.</p>
 *
 * <p>One malformed Mercure detail refuses the whole token, never only that detail: acting on the rest would silently
 * change what the token grants. So do a matcher type this hub does not support ({@code urlpattern}, for now), a
 * value that breaks the matcher value rules ({@link MatchParameters#problem}), and more than {@value #MAX_DETAILS}
 * Mercure details or {@value Limits#MAX_TOPICS} matchers in one. Each is a 401 with {@code invalid_token}.</p>
 */
public final class AuthorizationDetails {

    /** The Mercure authorization detail type, compared byte by byte. */
    public static final String TYPE = ProtectedResourceMetadata.DETAIL_TYPE;
    /** The claim (RFC 9396, section 2). */
    public static final String CLAIM = "authorization_details";
    /** The action that lets a token publish. */
    public static final String PUBLISH = "publish";
    /** The action that lets a token receive private updates. */
    public static final String SUBSCRIBE = "subscribe";
    /** Mercure details one token may carry at most. */
    public static final int MAX_DETAILS = 100;

    private AuthorizationDetails() {
    }

    /**
     * The grants of a verified token's claims.
     *
     * @param claims    the token's claims, a JSON object
     * @param expiresAt its {@code exp}
     * @throws ProtocolException 401 {@code invalid_token}, naming the first problem found
     */
    public static Claims read(JsonNode claims, Instant expiresAt) throws ProtocolException {
        JsonNode details = claims.get(CLAIM);
        List<Matcher> publish = new ArrayList<>();
        List<Matcher> subscribe = new ArrayList<>();
        List<Claims.Payload> payloads = new ArrayList<>();
        if (details == null) {
            return new Claims(Claims.Form.AUTHORIZATION_DETAILS, publish, subscribe, payloads, expiresAt,
                    AdminClaim.grantedBy(claims));
        }
        if (!details.isArray()) {
            throw refused(CLAIM + " claim is not an array");
        }
        int mercureDetails = 0;
        for (int i = 0; i < details.size(); i++) {
            JsonNode detail = details.get(i);
            String where = CLAIM + "[" + i + "]";
            if (!detail.isObject() || !detail.path("type").isTextual()) {
                throw refused(where + " is not an object with a string \"type\" (RFC 9396, section 2)");
            }
            if (!detail.get("type").textValue().equals(TYPE)) {
                continue;
            }
            if (++mercureDetails > MAX_DETAILS) {
                throw refused("the token carries more than " + MAX_DETAILS + " Mercure authorization details");
            }
            boolean[] actions = actions(detail.get("actions"), where);
            List<Matcher> topics = topics(detail.get("topics"), where);
            JsonNode payload = detail.get("payload");
            if (payload != null && !payload.isObject()) {
                throw refused(where + ".payload is not a JSON object");
            }
            if (actions[0]) {
                publish.addAll(topics);
            }
            if (actions[1]) {
                subscribe.addAll(topics);
                payloads.add(new Claims.Payload(topics, payload));
            }
        }
        return new Claims(Claims.Form.AUTHORIZATION_DETAILS, publish, subscribe, payloads, expiresAt,
                AdminClaim.grantedBy(claims));
    }

    /** Whether the detail grants {publish, subscribe}; other actions grant nothing and refuse nothing. */
    private static boolean[] actions(JsonNode actions, String where) throws ProtocolException {
        if (actions == null || !actions.isArray() || actions.isEmpty()) {
            throw refused(where + ".actions is not a non-empty array");
        }
        boolean[] granted = new boolean[2];
        for (JsonNode action : actions) {
            if (!action.isTextual()) {
                throw refused(where + ".actions holds " + action + ", not a string");
            }
            granted[0] |= action.textValue().equals(PUBLISH);
            granted[1] |= action.textValue().equals(SUBSCRIBE);
        }
        return granted;
    }

    private static List<Matcher> topics(JsonNode topics, String where) throws ProtocolException {
        if (topics == null || !topics.isArray() || topics.isEmpty()) {
            throw refused(where + ".topics is not a non-empty array");
        }
        if (topics.size() > Limits.MAX_TOPICS) {
            throw refused(where + ".topics holds more than " + Limits.MAX_TOPICS + " matchers");
        }
        List<Matcher> matchers = new ArrayList<>(topics.size());
        for (int j = 0; j < topics.size(); j++) {
            JsonNode topic = topics.get(j);
            String at = where + ".topics[" + j + "]";
            if (!topic.isObject() || !topic.path("match").isTextual()) {
                throw refused(at + " is not an object with a string \"match\"");
            }
            String value = topic.get("match").textValue();
            String problem = MatchParameters.problem(value);
            if (problem != null) {
                throw refused(at + ".match " + problem);
            }
            JsonNode type = topic.get("match_type");
            if (type != null && !type.isTextual()) {
                throw refused(at + ".match_type is not a string");
            }
            if (type != null && !type.textValue().equals(MatchParameters.EXACT_TYPE)) {
                throw refused(at + ".match_type \"" + type.textValue() + "\" is not supported by this hub (it "
                        + "supports \"" + MatchParameters.EXACT_TYPE + "\"), so the grant cannot be evaluated");
            }
            matchers.add(Matcher.exact(value));
        }
        return matchers;
    }

    private static ProtocolException refused(String reason) {
        return ProtocolException.invalidToken("the token's " + reason);
    }
}
