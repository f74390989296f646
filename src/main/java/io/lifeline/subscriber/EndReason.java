package io.lifeline.subscriber;

/**
 * Why a subscriber ended. Exactly one is recorded per subscriber: the first to be noticed.
 *
 * <p>Where bytes may still be stuck in the connection (the client reset it or vanished, a write failed or stalled),
 * the connection is aborted (an RST) rather than completed: completing would wait for those bytes to drain, and they
 * never will.</p>
 */
public enum EndReason {
    /** The client sent a FIN: it closed the connection, or a proxy closed it on the client's behalf. */
    CLIENT_CLOSED("client-closed", false),
    /** The client reset the connection (RST). */
    CLIENT_RESET("client-reset", true),
    /**
     * The kernel gave up on the connection ({@code ETIMEDOUT}): bytes sent to the client stayed unacknowledged past
     * the TCP user timeout. The client vanished without a FIN or an RST: power lost, network gone, a NAT or load
     * balancer that dropped the flow.
     */
    CLIENT_TIMEOUT("client-timeout", true),
    /** A write to the client failed: broken pipe, reset noticed while writing, or the container reported an error. */
    WRITE_FAILED("write-failed", true),
    /** The client did not take its bytes: a write stayed unfinished past the dispatch timeout, or the queue overflowed. */
    WRITE_STALLED("write-stalled", true),
    /** The subscriber reached its maximum lifetime; the client reconnects with Last-Event-ID. */
    MAX_LIFETIME("max-lifetime", false),
    /** The hub is stopping. */
    SERVER_SHUTDOWN("server-shutdown", false),
    /** The subscriber's token expired; the protocol requires the hub to close the connection then. */
    TOKEN_EXPIRED("token-expired", false),
    /**
     * A node of a cluster could not give the subscriber what it asked for: Redis did not answer when it connected,
     * or updates meant for it were trimmed from Redis (or lost with Redis's data) before this node read them. The
     * client is told where to resume and to come back; it then gets what the protocol prescribes for its last event
     * id.
     */
    HUB_UNAVAILABLE("hub-unavailable", false),
    /**
     * The live page's F5 demonstration ran its course and ended its own subscriber: the one the hub could not see
     * leave, where no departure watch reads the connection.
     */
    DEMONSTRATION_OVER("demonstration-over", true),
    /** The container timed the request out. */
    TIMEOUT("timeout", false),
    /** Something inside Lifeline or the container went wrong. */
    INTERNAL_ERROR("internal-error", true);

    private final String label;
    private final boolean abortsConnection;

    EndReason(String label, boolean abortsConnection) {
        this.label = label;
        this.abortsConnection = abortsConnection;
    }

    /** The name used in logs and metrics, e.g. {@code client-closed}. */
    public String label() {
        return label;
    }

    public boolean abortsConnection() {
        return abortsConnection;
    }

    @Override
    public String toString() {
        return label;
    }
}
