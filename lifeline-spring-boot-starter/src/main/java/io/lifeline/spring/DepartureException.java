package io.lifeline.spring;

import io.lifeline.watch.servlet.Departure;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

/**
 * The client of an async response left, and how ({@link #departure()}): what the starter's filter gives every
 * {@code AsyncListener} of the request. It is an {@link AsyncRequestNotUsableException}, the exception Spring MVC
 * takes for a client that went away, so that Spring writes nothing more for it.
 *
 * <p>An {@code SseEmitter}'s or {@code ResponseBodyEmitter}'s {@code onError} callback receives, on Spring Framework
 * 7 (Spring Boot 4), Spring's own {@code AsyncRequestNotUsableException} ("Servlet container error notification for
 * disconnected client") whose cause is this exception; on Spring Framework 6.2 (Spring Boot 3.5), this exception
 * itself. The request attribute {@code io.lifeline.watch.departure} holds the {@code Departure} either way.</p>
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
