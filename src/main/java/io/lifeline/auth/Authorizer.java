package io.lifeline.auth;

import io.lifeline.protocol.ProtocolException;
import io.lifeline.topic.TopicMatcher;
import io.lifeline.protocol.Update;
import java.util.List;
import java.util.Optional;

/**
 * The protocol's authorization rules, applied to a token already taken from the request.
 *
 * <p>A missing, malformed, expired or wrongly signed token is 401. A valid token that does not grant what the
 * request asks for is 403. A bad token never falls back to anonymous access, even where anonymous subscribers are
 * allowed: the client meant to authenticate, and quietly serving it less would hide the mistake.</p>
 */
public final class Authorizer {

    private final TokenVerifier publishers;
    private final TokenVerifier subscribers;
    private final boolean anonymousSubscribers;
    private final TopicMatcher matcher;

    public Authorizer(TokenVerifier publishers, TokenVerifier subscribers, boolean anonymousSubscribers,
                      TopicMatcher matcher) {
        this.publishers = publishers;
        this.subscribers = subscribers;
        this.anonymousSubscribers = anonymousSubscribers;
        this.matcher = matcher;
    }

    /** Verifies a publisher's token; 401 when it is missing or invalid. Its topics are checked by {@link #checkPublish}. */
    public Claims publisher(Optional<String> token) throws ProtocolException {
        return publishers.verify(token.orElseThrow(
                () -> ProtocolException.unauthorized("publishing needs a token (Authorization: Bearer <JWT>)")));
    }

    /** A publisher may dispatch an update only if {@code mercure.publish} covers every one of its topics. */
    public void checkPublish(Claims publisher, List<String> topics) throws ProtocolException {
        if (publisher.publish() == null || publisher.publish().isEmpty()) {
            throw ProtocolException.forbidden("the token has no mercure.publish selectors");
        }
        if (!matcher.allMatch(publisher.publish(), topics)) {
            throw ProtocolException.forbidden("the token's mercure.publish selectors do not cover every topic");
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
        return Optional.of(subscribers.verify(token.get()));
    }

    /**
     * The live view and its F5 demonstration answer a token signed with the subscriber key that carries
     * {@link AdminClaim}; in development mode ({@code open}) anyone who reaches the hub, token or not.
     *
     * @return the token's claims (its expiry ends a viewer's stream), or empty for no token where that is allowed
     * @throws ProtocolException 401 without a token or with an invalid one, 403 without the claim
     */
    public Optional<Claims> admin(Optional<String> token, boolean open) throws ProtocolException {
        if (token.isEmpty()) {
            if (open) {
                return Optional.empty();
            }
            throw ProtocolException.unauthorized("the live view needs a token with the claim {\"" + AdminClaim.NAME
                    + "\": {\"" + AdminClaim.ADMIN + "\": true}} (java -jar lifeline-server.jar token --admin)");
        }
        return Optional.of(subscribers.verifyAdmin(token.get()));
    }

    /** The subscriptions API answers only a token whose {@code mercure.subscribe} matches the requested URL. */
    public Claims subscriptionsReader(Optional<String> token, String requestedUrl) throws ProtocolException {
        Claims claims = subscribers.verify(token.orElseThrow(
                () -> ProtocolException.unauthorized("the subscriptions API needs a token (Authorization: Bearer <JWT>)")));
        if (claims.subscribe() == null || !matcher.anyMatches(claims.subscribe(), List.of(requestedUrl))) {
            throw ProtocolException.forbidden("the token's mercure.subscribe selectors do not cover " + requestedUrl);
        }
        return claims;
    }

    /** A private update reaches a subscriber only if its token's selectors match one of the update's topics. */
    public boolean mayReceive(Claims subscriber, Update update) {
        if (!update.privateUpdate()) {
            return true;
        }
        return subscriber != null && subscriber.subscribe() != null
                && matcher.anyMatches(subscriber.subscribe(), update.topics());
    }
}
