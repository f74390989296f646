package io.lifeline.probe;

/**
 * Why the probe could not judge the server at all: a bad command line, a URL that does not answer, an answer that is
 * not an event stream. Ends the command with {@link ProbeCommand#EXIT_ERROR} and the message on standard error.
 */
public final class ProbeException extends Exception {

    private final boolean showUsage;

    ProbeException(String message) {
        this(message, false);
    }

    ProbeException(String message, boolean showUsage) {
        super(message);
        this.showUsage = showUsage;
    }

    /** Whether the command's usage should follow the message (a flag the probe does not know, say). */
    boolean showUsage() {
        return showUsage;
    }
}
