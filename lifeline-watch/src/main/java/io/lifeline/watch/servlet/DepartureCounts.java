package io.lifeline.watch.servlet;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link DepartureFilter} counted since it started: departures by reason, and event streams it could not watch.
 * Counts only grow; read them from any thread.
 */
public final class DepartureCounts {

    private final Map<Departure, LongAdder> departures = new EnumMap<>(Departure.class);
    private final LongAdder unwatched = new LongAdder();
    private final LongAdder committedWithoutClose = new LongAdder();

    DepartureCounts() {
        for (Departure d : Departure.values()) {
            departures.put(d, new LongAdder());
        }
    }

    void countDeparture(Departure departure) {
        departures.get(departure).increment();
    }

    void countUnwatched() {
        unwatched.increment();
    }

    void countCommittedWithoutClose() {
        committedWithoutClose.increment();
    }

    /** Clients of event streams that left this way. */
    public long departed(Departure departure) {
        return departures.get(departure).sum();
    }

    /** Event streams on connections no watch sees here (another container; Tomcat over TLS or HTTP/2). */
    public long unwatched() {
        return unwatched.sum();
    }

    /**
     * Event streams on HTTP/1.x committed before the filter could add {@code Connection: close}: a watch must never
     * read a connection that may carry a next request, so they are not watched.
     */
    public long committedWithoutClose() {
        return committedWithoutClose.sum();
    }
}
