package io.lifeline.spring;

import io.lifeline.watch.servlet.Departure;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

/**
 * The client of an async response left: what an {@code SseEmitter}'s or {@code ResponseBodyEmitter}'s
 * {@code onError} callback receives. It is an {@link AsyncRequestNotUsableException}, the exception Spring MVC takes
 * for a client that went away, so that Spring writes nothing more and logs no error for it.
 */
public class DepartureException extends AsyncRequestNotUsableException {

    private static final long serialVersionUID = 1L;

    private final transient Departure departure;

    public DepartureException(Departure departure) {
        super("the client left: " + departure.label());
        this.departure = departure;
    }

    /** How the client left. */
    public Departure departure() {
        return departure;
    }
}
