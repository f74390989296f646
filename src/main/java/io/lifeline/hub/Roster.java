package io.lifeline.hub;

import java.util.Map;

/**
 * The read side of a cluster's roster: a {@link Transport} that lists the subscribers of every node (the Redis
 * transport) is one, and the hub's subscriptions API and live view then answer for the whole cluster. A transport
 * that serves one node is not: the hub lists its own subscribers.
 */
public interface Roster {

    /**
     * Every node's subscribers, and the id of the last update published when the list was taken (Mercure draft-07,
     * "Active Subscriptions": {@code lastEventID}).
     *
     * @throws HubUnavailableException when the store the nodes share does not answer
     */
    Subscriptions subscriptions();

    /**
     * Every node of the cluster and how many subscribers it holds.
     *
     * @throws HubUnavailableException when the store the nodes share does not answer
     */
    Map<String, Long> census();
}
