package io.lifeline.probe;

import io.lifeline.probe.Finding.Outcome;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether a reconnect with {@code Last-Event-ID} resumes where the client was (WHATWG HTML, section 9.2.4): given
 * two events with ids seen in order, a new stream that sends the first id must begin with the second.
 */
final class LastEventIdCheck {

    /** How long the reconnect waits for its first event. */
    static final long WAIT_NANOS = 5_000_000_000L;

    private static final String CHECK = "last-event-id";
    private static final String LABEL = "Last-Event-ID";

    private LastEventIdCheck() {
    }

    /**
     * @param url  the stream to reconnect to
     * @param seen   the ids of the events the first stream carried, in order
     * @param cursor the last id the first stream set, with or without an event, or null
     */
    static Finding run(Target target, URI url, List<String> headers, List<String> seen, String cursor) {
        if (seen.size() < 2) {
            String found = seen.isEmpty() ? cursor == null ? "no event with an id came within the window"
                    : "the stream set an id without an event (a cursor), and no event with an id came"
                    : "one event with an id came within the window; the check needs two";
            return Finding.of(CHECK, LABEL, Outcome.NOT_RUN, found
                    + " (on a Mercure hub, --token lets the probe publish two)");
        }
        String given = seen.get(seen.size() - 2);
        String expected = seen.get(seen.size() - 1);
        List<String> lines = new ArrayList<>(headers);
        lines.add("Last-Event-ID: " + given);
        try (HeldStream stream = HeldStream.open(target, url, lines, 0, System.nanoTime() + WAIT_NANOS)) {
            stream.readUntil(System.nanoTime() + WAIT_NANOS, () -> !stream.tally().eventIds().isEmpty());
            List<String> ids = stream.tally().eventIds();
            if (ids.isEmpty()) {
                return new Finding(CHECK, LABEL, Outcome.CHECK, "a reconnect with Last-Event-ID got no event within "
                        + WAIT_NANOS / 1_000_000_000L + " s: the one after the id was not replayed",
                        "A client that reconnects after a network blip misses what was sent meanwhile.",
                        Map.of("honoured", false));
            }
            String first = ids.get(0);
            if (first.equals(expected)) {
                return new Finding(CHECK, LABEL, Outcome.OK, "a reconnect resumed right after the id it gave",
                        null, Map.of("honoured", true));
            }
            boolean earlier = seen.contains(first);
            return new Finding(CHECK, LABEL, Outcome.CHECK, earlier
                    ? "a reconnect began again with an event before the id it gave: clients see events twice"
                    : "a reconnect went on with a new event: the one after the id it gave was not replayed",
                    earlier ? "A client that reconnects after a network blip must handle events twice."
                            : "A client that reconnects after a network blip misses what was sent meanwhile.",
                    Map.of("honoured", false));
        } catch (IOException e) {
            return Finding.of(CHECK, LABEL, Outcome.ERROR, e.getMessage());
        }
    }
}
