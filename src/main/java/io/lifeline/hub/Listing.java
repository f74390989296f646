package io.lifeline.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One subscriber as the subscriptions API lists it, whichever node of a cluster holds it.
 *
 * @param subscriber    its id
 * @param subscriptions one per matcher it subscribed with
 */
public record Listing(String subscriber, List<Subscription> subscriptions) {

    /**
     * One of its subscriptions.
     *
     * @param value          the topic selector (draft-07) or match (Mercure 1.0) as the subscriber gave it
     * @param mercure10Type  the Mercure 1.0 matcher type it is shown to 1.0 observers as, or null when it has none
     *                       (a URI template)
     * @param payload        the payload its token gives this subscription, or null
     */
    public record Subscription(String value, String mercure10Type, JsonNode payload) {
    }

    public Listing {
        subscriptions = List.copyOf(subscriptions);
    }

    /** Its subscription to this value, if any. */
    public java.util.Optional<Subscription> subscription(String value) {
        return subscriptions.stream().filter(s -> s.value().equals(value)).findFirst();
    }
}
