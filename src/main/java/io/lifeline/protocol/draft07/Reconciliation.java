package io.lifeline.protocol.draft07;

/**
 * How a draft-07 subscriber names where it resumes, and how the hub answers (draft-dunglas-mercure-07, section
 * "Reconnection, State Reconciliation and Event Sourcing"). The {@code Last-Event-ID} request header wins over the
 * query parameter, in both dialects.
 */
public final class Reconciliation {

    /** The query parameter carrying the last event ID, for a first connection that cannot set headers. */
    public static final String LAST_EVENT_ID_PARAMETER = "lastEventID";

    /**
     * The response header naming the event the replay follows, or {@code earliest}; set whenever the request named a
     * last event ID. Draft-07 reuses the request header's name.
     */
    public static final String LAST_EVENT_ID_HEADER = "Last-Event-ID";

    private Reconciliation() {
    }
}
