package io.lifeline.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.draft07.Jwts;
import io.lifeline.config.JwtKey;
import io.lifeline.live.LiveFeed;
import io.lifeline.metrics.HubMetrics;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.subscriber.SubscriberHost;
import io.lifeline.testing.MemoryStream;
import io.lifeline.topic.Matcher;
import io.lifeline.topic.TemplateTopicMatcher;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The hub tells of every subscriber's start and end in one fixed order (its metrics, its live feed, its log lines,
 * then the observers it was given), and one observer that throws keeps neither the others from being told nor the
 * subscriber from being released.
 */
class SubscriberObserversTest {

    private final List<String> told = new CopyOnWriteArrayList<>();

    @Test
    void theHubTellsItsMetricsItsLiveFeedAndItsLogThenTheObserversItWasGivenInThatOrder() {
        try (Hub hub = hub(0, List.of(recording("first"), recording("second")))) {
            assertEquals(List.of("the hub's metrics", "the live feed", "the subscribers' log", "first", "second"),
                    hub.observers().stream().map(Object::toString).toList());

            Subscriber subscriber = subscriber(hub, "urn:uuid:s-1");
            hub.add(subscriber, "urn:uuid:u-9");
            subscriber.end(EndReason.CLIENT_CLOSED);

            assertEquals(List.of("first started urn:uuid:s-1 from urn:uuid:u-9",
                    "second started urn:uuid:s-1 from urn:uuid:u-9", "first ended urn:uuid:s-1 client-closed",
                    "second ended urn:uuid:s-1 client-closed"), told);
        }
    }

    @Test
    void anObserverThatThrowsKeepsNeitherTheOthersFromBeingToldNorTheSubscriberFromBeingReleased() {
        SubscriberObserver throwing = new SubscriberObserver() {
            @Override
            public void started(Subscriber subscriber, String lastEventId) {
                throw new IllegalStateException("a webhook that is down");
            }

            @Override
            public void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos) {
                throw new IllegalStateException("a webhook that is down");
            }
        };
        try (Hub hub = hub(1, List.of(throwing, recording("after it")))) {
            assertNull(hub.admit("client"));
            Subscriber subscriber = subscriber(hub, "urn:uuid:s-2");
            hub.add(subscriber, null);
            assertTrue(hub.wouldRefuse("client") != null, "the one subscriber the hub may hold is held");

            subscriber.end(EndReason.CLIENT_RESET);

            assertEquals(List.of("after it started urn:uuid:s-2 from null", "after it ended urn:uuid:s-2 client-reset"),
                    told);
            assertNull(hub.wouldRefuse("client"), "released all the same: the hub takes a subscriber again");
            assertTrue(hub.subscriber("urn:uuid:s-2").isEmpty(), "and no longer lists it");
        }
    }

    private SubscriberObserver recording(String name) {
        return new SubscriberObserver() {
            @Override
            public void started(Subscriber subscriber, String lastEventId) {
                told.add(name + " started " + subscriber.id() + " from " + lastEventId);
            }

            @Override
            public void ended(Subscriber subscriber, EndReason reason, long detectedNanos, long releasedNanos) {
                told.add(name + " ended " + subscriber.id() + " " + reason.label());
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private static Subscriber subscriber(Hub hub, String id) {
        Subscriber subscriber = new Subscriber(id, Matcher.selectors(List.of("https://example.com/books/1")), null,
                "remote", "client", new MemoryStream(bytes -> { }), hub);
        subscriber.onWritable();
        return subscriber;
    }

    /** A hub in memory, as {@code MemoryHub} makes one, holding at most {@code maxSubscribers} (0: no limit). */
    private static Hub hub(int maxSubscribers, List<SubscriberObserver> observers) {
        TemplateTopicMatcher matcher = new TemplateTopicMatcher(100);
        JwtKey key = new JwtKey(JwtKey.Algorithm.HS256, "a-key-for-a-hub-in-memory-0123456789-0123456789", null);
        Authorizer authorizer = new Authorizer(new Jwts(key), new Jwts(key), true, matcher);
        SubscriberHost.Limits limits = new SubscriberHost.Limits(Duration.ofSeconds(15), Duration.ofSeconds(5),
                1 << 20, Duration.ZERO, Duration.ZERO);
        HubMetrics metrics = new HubMetrics(List.of("none"));
        return new Hub(new Hub.Config(limits, 100, 1 << 20, false, false, Duration.ZERO, maxSubscribers, 0, true),
                authorizer, matcher, metrics, Transport.inMemory(100, 1 << 20),
                hub -> new LiveFeed(hub, hub::subscribers, metrics), observers);
    }
}
