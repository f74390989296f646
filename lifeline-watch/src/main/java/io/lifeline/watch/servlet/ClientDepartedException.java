package io.lifeline.watch.servlet;

import java.io.IOException;

/**
 * The client of a watched response left: what the application's {@code AsyncListener.onError} receives in the
 * {@code AsyncEvent}'s throwable. Its {@link #departure()} says how the client left.
 */
public class ClientDepartedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Departure departure;

    public ClientDepartedException(Departure departure) {
        super("the client left: " + departure.label());
        this.departure = departure;
    }

    /** How the client left. */
    public Departure departure() {
        return departure;
    }
}
