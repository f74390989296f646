package io.lifeline.hub;

/**
 * The hub cannot take an update or a subscriber now, though nothing about the request is wrong: the store it shares
 * with the other nodes of a cluster (Redis) does not answer. A client should try again later; the message says
 * why, for a person.
 */
public final class HubUnavailableException extends RuntimeException {

    public HubUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
