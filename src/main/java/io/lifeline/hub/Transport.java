package io.lifeline.hub;

import io.lifeline.protocol.Update;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one seam every update passes through on its way to subscribers. It orders updates, keeps the history, and
 * connects subscribers to both without a gap. The in-memory transport ({@link LocalTransport}) serves one node; the
 * Redis transport ({@link RedisTransport}) gives each update its place in one order shared by every node of a
 * cluster and hands it to every node's fan-out.
 */
interface Transport extends AutoCloseable {

    /** The value of {@link #lastEventId()} before anything is published, and of a reconnection's answer when the
     * update it asked for is not held. */
    String EARLIEST = "earliest";

    /**
     * Orders the update after every update published before it and hands it to the fan-out. Updates reach the
     * fan-out one at a time, in that order, possibly on another caller's thread and after this returns. A publish
     * made from inside the fan-out (a subscriber's end, noticed while it received an update) is handed on after the
     * update in progress.
     *
     * @param hubEvent whether the hub itself publishes it (a subscription event)
     */
    void publish(Update update, boolean hubEvent);

    /** Where a subscriber joins the order of updates, told when it is attached. */
    @FunctionalInterface
    interface Attach {
        /**
         * @param position the position (see {@link Position}) the subscriber resumes from
         * @param sequence the number of the last update published: the fan-out must not give it this one or any
         *                 before it, which it had in its replay or did not ask for
         */
        void at(String position, long sequence);
    }

    /**
     * Connects a subscriber: hands {@code replay} every held update published after {@code lastEventId} (all held
     * ones for {@link #EARLIEST} or an unknown id; none for null), publishes {@code announcements} (the hub's events
     * about this subscriber: its subscription events), then runs {@code attach} with the position and sequence after
     * them. Whatever else was published after them before {@code attach} (by another node of a cluster) is handed to
     * {@code replay} too, in order. From {@code attach} on, the subscriber must receive every later update
     * through the fan-out; it never receives its own announcements, and an update published in answer to one (a
     * publisher that greets a new subscriber) comes after {@code attach}, so it reaches the subscriber. While the
     * transport closes, the announcements are dropped and the subscriber is still attached.
     *
     * @param listing how the subscriptions API lists the subscriber, kept with the announcements by a transport that
     *                lists the subscribers of a whole cluster, ignored by one that serves one node
     * @return the id the replay follows: {@code lastEventId} if held, else {@link #EARLIEST}
     */
    String connect(String lastEventId, Listing listing, List<Announcement> announcements, Consumer<Published> replay,
                   Attach attach);

    /**
     * Publishes the hub's events about a subscriber that ended ({@code announcements}, possibly none) and forgets
     * its listing, together.
     */
    void disconnect(String subscriber, List<Announcement> announcements);

    /**
     * The subscribers the subscriptions API lists, and the id of the last update published when the list was taken.
     *
     * @param local this node's own subscribers, the list of a transport that serves one node
     */
    Subscriptions subscriptions(Supplier<List<Listing>> local);

    /** The current position (see {@link Position}): a client that resumes from it gets everything published later. */
    String position();

    /**
     * Runs {@code action} with the current position once every update before it has been handed to the fan-out, and
     * before any later one is: in the fan-out's order, possibly on another thread and after this returns.
     */
    void atPosition(Consumer<String> action);

    /**
     * Why updates and new subscribers cannot be taken now, or null when they can: a transport shared through Redis
     * that does not answer. One that serves one node is always available.
     */
    default String unavailable() {
        return null;
    }

    /**
     * Every node of the cluster and how many subscribers it holds; empty for a transport that serves one node.
     *
     * @throws HubUnavailableException when the store the nodes share does not answer
     */
    default Map<String, Long> census() {
        return Map.of();
    }

    /** The id of the last update published, or {@link #EARLIEST}. */
    String lastEventId();

    @Override
    void close();
}
