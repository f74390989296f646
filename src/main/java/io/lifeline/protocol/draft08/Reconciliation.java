package io.lifeline.protocol.draft08;

/**
 * How a Mercure 1.0 subscriber names where it resumes, and how the hub answers (draft-dunglas-mercure-08, section
 * "Reconnection, State Reconciliation, and Event Sourcing"). The {@code Last-Event-ID} request header wins over the
 * query parameter, in both dialects.
 */
public final class Reconciliation {

    /** The query parameter carrying the last event ID, for a first connection that cannot set headers. */
    public static final String LAST_EVENT_ID_PARAMETER = "last_event_id";

    /**
     * The response field naming the event the replay follows, or {@code earliest}; set whenever the request named a
     * last event ID. The text registers it instead of reusing {@code Last-Event-ID}, whose registration defines
     * request semantics only.
     */
    public static final String LAST_EVENT_ID_HEADER = "Mercure-Last-Event-ID";

    private Reconciliation() {
    }
}
