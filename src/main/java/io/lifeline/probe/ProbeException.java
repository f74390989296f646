package io.lifeline.probe;

/**
 * Why the probe could not judge the server at all: a bad command line, a URL that does not answer, an answer that is
 * not an event stream. Ends the command with {@link ProbeCommand#EXIT_ERROR} and the message on standard error.
 */
public final class ProbeException extends Exception {

    ProbeException(String message) {
        super(message);
    }
}
