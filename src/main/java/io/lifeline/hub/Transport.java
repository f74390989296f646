package io.lifeline.hub;

import io.lifeline.protocol.Update;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one seam every update passes through on its way to subscribers. It orders updates, keeps the history, and
 * connects subscribers to both without a gap. The hub is given a {@link Factory} and opens its transport with the
 * {@link EventHandler} the transport calls back: the in-memory transport ({@link #inMemory}) serves one node; the
 * Redis transport ({@code io.lifeline.cluster.RedisTransport}) gives each update its place in one order shared by
 * every node of a cluster and hands it to every node's fan-out. A transport that lists the subscribers of a whole
 * cluster is also a {@link Roster}.
 */
public interface Transport extends AutoCloseable {

    /**
     * What a transport calls back on the hub that opened it. A transport may call it from its constructor on (the
     * Redis transport starts its reader there), on any of its threads.
     */
    interface EventHandler {

        /** Hands an update, in the transport's order, to this node's fan-out; one at a time. */
        void fanOut(Published published);

        /**
         * Whether any subscriber of this node could receive an update of these topics: false only when none can,
         * so that the update need not be fanned out at all.
         */
        boolean mayReach(List<String> topics);

        /**
         * Updates meant for this node's subscribers are gone before this node read them, or this node was taken for
         * gone: every subscriber must reconnect, told where to resume.
         */
        void lostUpdates();

        /** The hub's end announcements of a subscriber as listed, for a node found gone whose ends another announces. */
        List<Announcement> endAnnouncements(Listing listing);
    }

    /** How a hub opens its transport. */
    @FunctionalInterface
    interface Factory {

        /**
         * Opens the transport the hub will publish through; it may call {@code handler} before this returns.
         *
         * @throws RuntimeException when it cannot open (a Redis that does not answer); the hub then does not start
         */
        Transport open(EventHandler handler);
    }

    /**
     * A transport of one node, in memory: its order and history live and die with the process.
     *
     * @param historySize  updates kept for reconnecting subscribers; 0 keeps none
     * @param historyBytes bytes of updates kept
     */
    static Factory inMemory(int historySize, long historyBytes) {
        return handler -> new LocalTransport(new History(historySize, historyBytes), handler::fanOut,
                handler::mayReach);
    }

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

    /** The id of the last update published, or {@link #EARLIEST}. */
    String lastEventId();

    @Override
    void close();
}
