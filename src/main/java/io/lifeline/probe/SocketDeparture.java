package io.lifeline.probe;

import io.lifeline.probe.Finding.Outcome;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A departure the client's own socket can judge, since the client reads on: a FIN ({@link Departure#FIN}) or a TLS
 * close_notify ({@link Departure#CLOSE_NOTIFY}). On a fresh HTTP/1.1 stream, after its first bytes (or
 * {@link ProbeRun#FIRST_BYTES} without any) and {@link ProbeRun#SETTLE} more, the probe departs and reads on for the
 * window; a stream that ends before the departure is no stream to leave, and its line an error. The server noticed if
 * it ended the stream: a FIN or an RST of its own, or the last chunk. Whatever it wrote meanwhile is counted: bytes
 * a full proxy would have taken and thrown away.
 */
final class SocketDeparture implements Callable<Finding> {

    private final ProbeRun run;
    private final Departure departure;

    SocketDeparture(ProbeRun run, Departure departure) {
        this.run = run;
        this.departure = departure;
    }

    @Override
    public Finding call() {
        String label = departure.label(run.target().tls());
        long start = System.nanoTime();
        try (HeldStream stream = HeldStream.open(run.target(), run.streamFor(departure.check()),
                run.streamHeaders(), 0, start + run.window().toNanos())) {
            if (!stream.isEventStream()) {
                return error(label, "a second stream got " + stream.head().status() + " "
                        + stream.head().mediaType() + " instead of an event stream");
            }
            stream.readUntil(System.nanoTime() + ProbeRun.FIRST_BYTES.toNanos(), () -> stream.tally().bytes() > 0);
            stream.readToEnd(System.nanoTime() + ProbeRun.SETTLE.toNanos());
            if (stream.connection().end() != Connection.End.OPEN) {
                return error(label, "the server " + stream.connection().end().words() + " "
                        + Report.millis(System.nanoTime() - start) + " after the request, before any departure: "
                        + "it serves no lasting stream here");
            }
            long bytes = stream.tally().bytes();
            int heartbeats = stream.tally().heartbeats();
            int events = stream.tally().events();
            departure.play(stream.connection());
            long departed = System.nanoTime();
            Connection.End end = stream.readToEnd(departed + run.window().toNanos());
            long after = System.nanoTime() - departed;
            long age = stream.ageNanos();
            long bytesAfter = stream.tally().bytes() - bytes;
            int heartbeatsAfter = stream.tally().heartbeats() - heartbeats;
            int eventsAfter = stream.tally().events() - events;
            Map<String, Object> measures = new LinkedHashMap<>();
            measures.put("noticed", end != Connection.End.OPEN);
            measures.put("server_end", end.name().toLowerCase(Locale.ROOT));
            if (end != Connection.End.OPEN) {
                measures.put("after_ms", after / 1_000_000L);
                measures.put("age_ms", age / 1_000_000L);
            }
            measures.put("bytes_after", bytesAfter);
            measures.put("heartbeats_after", heartbeatsAfter);
            measures.put("events_after", eventsAfter);
            String written = bytesAfter == 0 ? "wrote nothing after it"
                    : "wrote " + Report.count(heartbeatsAfter, "heartbeat") + ", " + Report.count(eventsAfter, "event")
                    + " (" + Report.count(bytesAfter, "byte") + ") after it";
            if (end != Connection.End.OPEN) {
                return new Finding(departure.check(), label, Outcome.NOTICED, end.words() + " "
                        + Report.millis(after) + " after " + departure.noun() + "; " + written, null, measures);
            }
            return new Finding(departure.check(), label, Outcome.LEAKS, "never ended the stream in "
                    + Report.seconds(run.window()) + "; " + written.replace("after it", "after " + departure.noun()),
                    departure.why(), measures);
        } catch (IOException e) {
            return error(label, e.getMessage());
        }
    }

    private Finding error(String label, String message) {
        return new Finding(departure.check(), label, Outcome.ERROR, message, null, Map.of());
    }
}
