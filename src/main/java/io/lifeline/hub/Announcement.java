package io.lifeline.hub;

import io.lifeline.protocol.Update;
import java.util.List;
import java.util.function.Function;

/**
 * One of the hub's subscription events, before it has an id: its topics, known at once so that the transport can
 * tell whether anyone may receive it, and the update itself, built (its document encoded as JSON) only when someone
 * reads it. Most are never read: a hub whose clients come and go by the thousand a second publishes four for each,
 * and observers of subscription events are few.
 *
 * @param topics         the event's topics (one)
 * @param estimatedBytes what the event weighs in a history before it is encoded: its topic and subscriber, and the
 *                       document's fixed fields; a payload is the subscriber token's own, held by it anyway
 * @param withId         builds the update with the id the transport gives it
 */
public record Announcement(List<String> topics, int estimatedBytes, Function<String, Update> withId) {

    public Announcement {
        topics = List.copyOf(topics);
    }
}
