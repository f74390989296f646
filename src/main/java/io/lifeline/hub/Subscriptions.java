package io.lifeline.hub;

import java.util.List;

/**
 * Every subscriber connected to the hub (to every node of a cluster), and the id of the last update published when
 * the list was taken: a client that subscribes to the subscription events with it as {@code Last-Event-ID} gets
 * every change since (draft-07 "Active Subscriptions", Mercure 1.0 "Subscription API").
 */
public record Subscriptions(String lastEventId, List<Listing> listings) {

    public Subscriptions {
        listings = List.copyOf(listings);
    }

    /** The listing of one subscriber, if connected. */
    public java.util.Optional<Listing> of(String subscriber) {
        return listings.stream().filter(l -> l.subscriber().equals(subscriber)).findFirst();
    }
}
