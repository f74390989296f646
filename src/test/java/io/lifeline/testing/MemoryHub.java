package io.lifeline.testing;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.draft07.Jwts;
import io.lifeline.config.JwtKey;
import io.lifeline.hub.Hub;
import io.lifeline.metrics.HubMetrics;
import io.lifeline.subscriber.SubscriberHost;
import io.lifeline.topic.TemplateTopicMatcher;
import java.time.Duration;
import java.util.List;

/**
 * A hub without a server, for tests of its core with {@link MemoryStream}s: anonymous subscribers allowed, a 15 s
 * heartbeat, a 5 s dispatch timeout, no drain and no limits on subscribers.
 */
public final class MemoryHub {

    private MemoryHub() {
    }

    /** A hub holding 100 updates of history, with or without subscription events. */
    public static Hub start(boolean subscriptionEvents) {
        TemplateTopicMatcher matcher = new TemplateTopicMatcher(100);
        JwtKey key = new JwtKey(JwtKey.Algorithm.HS256, "a-key-for-a-hub-in-memory-0123456789-0123456789", null);
        Authorizer authorizer = new Authorizer(new Jwts(key), new Jwts(key), true, matcher);
        SubscriberHost.Limits limits = new SubscriberHost.Limits(Duration.ofSeconds(15), Duration.ofSeconds(5),
                1 << 20, Duration.ZERO, Duration.ZERO);
        return new Hub(new Hub.Config(limits, 100, 1 << 20, subscriptionEvents, false, Duration.ZERO, 0, 0, true),
                authorizer, matcher, new HubMetrics(List.of("none")));
    }
}
