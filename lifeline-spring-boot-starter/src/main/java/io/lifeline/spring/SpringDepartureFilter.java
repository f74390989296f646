package io.lifeline.spring;

import io.lifeline.watch.servlet.Departure;
import io.lifeline.watch.servlet.DepartureFilter;
import java.time.Duration;

/** The departure filter with the exception Spring MVC takes for a client that left ({@link DepartureException}). */
final class SpringDepartureFilter extends DepartureFilter {

    SpringDepartureFilter(Duration tcpUserTimeout) {
        super(tcpUserTimeout);
    }

    @Override
    protected Throwable departureError(Departure departure) {
        return new DepartureException(departure);
    }
}
