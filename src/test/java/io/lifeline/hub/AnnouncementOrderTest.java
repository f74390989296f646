package io.lifeline.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.auth.Claims;
import io.lifeline.protocol.draft07.ActiveSubscriptions;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.MemoryHub;
import io.lifeline.testing.MemoryStream;
import io.lifeline.testing.Poll;
import io.lifeline.topic.Matcher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * A publisher may answer a subscription event (Mercure draft-07 section "Active Subscriptions") with an update for
 * the new subscriber, such as the current state of what it subscribed to: by the time the event is out, the
 * subscriber must already be in the topic index and in the subscriptions API's list, or that answer is lost.
 */
class AnnouncementOrderTest {

    private static final int SUBSCRIBERS = 300;

    @Test
    void whenASubscriptionEventIsSentTheNewSubscriberIsAlreadyIndexedAndListed() throws Exception {
        try (Hub hub = MemoryHub.start(true)) {
            Map<String, Subscriber> added = new ConcurrentHashMap<>();
            Queue<String> seenTooEarly = new ConcurrentLinkedQueue<>();
            Queue<String> announced = new ConcurrentLinkedQueue<>();
            Claims all = Claims.mercure(null, List.of("*"), null, null, false);
            Subscriber watcher = new Subscriber("urn:uuid:watcher",
                    Matcher.selectors(List.of(ActiveSubscriptions.PATH + "{/topic}{/subscriber}")), all, "remote", "client",
                    new MemoryStream(bytes -> {
                        String text = new String(bytes, StandardCharsets.UTF_8);
                        for (Subscriber subscriber : added.values()) {
                            if (text.contains("\"subscriber\":\"" + subscriber.id() + "\"")
                                    && text.contains("\"active\":true")) {
                                announced.add(subscriber.id());
                                if (!hub.isIndexed(subscriber) || hub.subscriber(subscriber.id()).isEmpty()) {
                                    seenTooEarly.add(subscriber.id());
                                }
                            }
                        }
                    }), hub);
            hub.add(watcher, null);
            watcher.onWritable(); // a memory stream is always ready: the container would call this once

            for (int i = 0; i < SUBSCRIBERS; i++) {
                Subscriber subscriber = new Subscriber("urn:uuid:s-" + i,
                        Matcher.selectors(List.of("https://example.com/books/" + i)), null, "remote", "client",
                        new MemoryStream(bytes -> { }), hub);
                added.put(subscriber.id(), subscriber);
                hub.add(subscriber, null);
            }

            Poll.until(Duration.ofSeconds(10), "every subscription event is written",
                    () -> announced.stream().distinct().count() == SUBSCRIBERS);
            assertTrue(seenTooEarly.isEmpty(), "announced before they were indexed and listed: " + seenTooEarly);
            assertEquals(SUBSCRIBERS + 1, hub.subscribers().size());
        }
    }
}
