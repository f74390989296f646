package io.lifeline.auth;

import io.lifeline.protocol.ProtocolException;
import io.lifeline.topic.TopicMatcher;
import io.lifeline.protocol.Update;
import java.util.List;
import java.util.Optional;

/**
 * The protocol's authorization rules, applied to a token already taken from the request, in either dialect: a token
 * whose header declares {@code typ: at+jwt} is a Mercure 1.0 access token ({@link AccessTokenType}), any other a
 * draft-07 token; a {@link TokenVerifier} for each reads it. Both grant in one model ({@link Claims}), so every rule
 * below reads the same for both; a 1.0 publisher's update reaches draft-07 subscribers and the other way round.
 *
 * <p>No token where one is needed is 401 with a bare {@code Bearer} challenge. A malformed, expired or wrongly signed
 * token is 401 {@code invalid_token}. A valid token that does not grant what the request asks for is 403
 * {@code insufficient_scope} (RFC 6750, section 3.1; Mercure 1.0, section "Error Responses"). A bad token never falls
 * back to anonymous access, even where anonymous subscribers are allowed: the client meant to authenticate, and
 * quietly serving it less would hide the mistake.</p>
 */
public final class Authorizer {

    private final TokenVerifier publishers;
    private final TokenVerifier subscribers;
    private final TokenVerifier accessTokens;
    private final boolean anonymousSubscribers;
    private final TopicMatcher matcher;

    /** Draft-07 tokens only. */
    public Authorizer(TokenVerifier publishers, TokenVerifier subscribers, boolean anonymousSubscribers,
                      TopicMatcher matcher) {
        this(publishers, subscribers, null, anonymousSubscribers, matcher);
    }

    /**
     * @param publishers   verifies draft-07 publisher tokens, or null where the hub takes none
     * @param subscribers  verifies draft-07 subscriber tokens, or null where the hub takes none
     * @param accessTokens verifies Mercure 1.0 access tokens, or null where the hub takes none
     */
    public Authorizer(TokenVerifier publishers, TokenVerifier subscribers, TokenVerifier accessTokens,
                      boolean anonymousSubscribers, TopicMatcher matcher) {
        this.publishers = publishers;
        this.subscribers = subscribers;
        this.accessTokens = accessTokens;
        this.anonymousSubscribers = anonymousSubscribers;
        this.matcher = matcher;
    }

    /** Verifies a publisher's token; 401 when it is missing or invalid. Its topics are checked by {@link #checkPublish}. */
    public Claims publisher(Optional<String> token) throws ProtocolException {
        return verify(token.orElseThrow(
                () -> ProtocolException.unauthorized("publishing needs a token (Authorization: Bearer <JWT>)")),
                publishers);
    }

    /**
     * A publisher may dispatch an update only if its grants cover every one of its topics, canonical and alternate
     * (draft-07, section "Publishers"; Mercure 1.0, section "Publishers").
     */
    public void checkPublish(Claims publisher, List<String> topics) throws ProtocolException {
        if (publisher.publish().isEmpty()) {
            throw ProtocolException.insufficientScope("the token grants no publishing: "
                    + publisher.form().publishGrants() + " are empty");
        }
        if (!matcher.allTopicsMatch(publisher.publish(), topics)) {
            throw ProtocolException.insufficientScope(publisher.form().publishGrants()
                    + " do not cover every topic");
        }
    }

    /** A subscriber's claims, or empty for an anonymous subscriber where those are allowed. */
    public Optional<Claims> subscriber(Optional<String> token) throws ProtocolException {
        if (token.isEmpty()) {
            if (anonymousSubscribers) {
                return Optional.empty();
            }
            throw ProtocolException.unauthorized("subscribing needs a token (Authorization: Bearer <JWT>)");
        }
        return Optional.of(verify(token.get(), subscribers));
    }

    /**
     * The live view and its F5 demonstration answer a token that carries {@link AdminClaim}: a draft-07 token signed
     * with the subscriber key, or a Mercure 1.0 access token of a trusted issuer; in development mode ({@code open})
     * anyone who reaches the hub, token or not.
     *
     * @return the token's claims (its expiry ends a viewer's stream), or empty for no token where that is allowed
     * @throws ProtocolException 401 without a token or with an invalid one, 403 without the claim
     */
    public Optional<Claims> admin(Optional<String> token, boolean open) throws ProtocolException {
        if (token.isEmpty()) {
            if (open) {
                return Optional.empty();
            }
            throw ProtocolException.unauthorized("the live view needs a token with the claim " + AdminClaim.text()
                    + " (java -jar lifeline-server.jar token --admin)");
        }
        Claims claims = verify(token.get(), subscribers);
        if (!claims.admin()) {
            throw ProtocolException.insufficientScope("the token has no " + AdminClaim.text() + " claim");
        }
        return Optional.of(claims);
    }

    /** The subscriptions API answers only a token whose subscribe grants match the requested URL. */
    public Claims subscriptionsReader(Optional<String> token, String requestedUrl) throws ProtocolException {
        Claims claims = verify(token.orElseThrow(() -> ProtocolException.unauthorized(
                "the subscriptions API needs a token (Authorization: Bearer <JWT>)")), subscribers);
        if (!matcher.anyTopicMatches(claims.subscribe(), List.of(requestedUrl))) {
            throw ProtocolException.insufficientScope(claims.form().subscribeGrants() + " do not cover "
                    + requestedUrl);
        }
        return claims;
    }

    /**
     * A private update reaches a subscriber only if its token's subscribe grants match one of the update's topics
     * (draft-07, section "Subscribers"; Mercure 1.0, section "Subscribers").
     */
    public boolean mayReceive(Claims subscriber, Update update) {
        return mayReceive(subscriber, update.privateUpdate(), update.topics());
    }

    /** The same, for an update known by whether it is private and by its topics. */
    public boolean mayReceive(Claims subscriber, boolean privateUpdate, List<String> topics) {
        if (!privateUpdate) {
            return true;
        }
        return subscriber != null && matcher.anyTopicMatches(subscriber.subscribe(), topics);
    }

    private Claims verify(String token, TokenVerifier draft07) throws ProtocolException {
        if (AccessTokenType.declaredBy(token)) {
            if (accessTokens == null) {
                throw ProtocolException.invalidToken("this hub does not take Mercure 1.0 access tokens (typ at+jwt): "
                        + "1.0 is left out of LIFELINE_DIALECTS");
            }
            return accessTokens.verify(token);
        }
        if (draft07 == null) {
            throw ProtocolException.invalidToken("the token is not a Mercure 1.0 access token (typ at+jwt), and this "
                    + "hub takes no draft-07 tokens (no LIFELINE_JWT_KEY, or draft-07 left out of LIFELINE_DIALECTS)");
        }
        try {
            return draft07.verify(token);
        } catch (ProtocolException refused) {
            if (accessTokens != null && refused.reason().contains("algorithm")) {
                throw ProtocolException.invalidToken(refused.reason() + " (read as a draft-07 token: a Mercure 1.0 "
                        + "access token says typ at+jwt in its header)");
            }
            throw refused;
        }
    }
}
