package io.lifeline.probe;

import io.lifeline.probe.Finding.Outcome;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A departure after which the client cannot read on, so only the server can tell whether it noticed: an RST
 * ({@link Departure#RST}) or a close ({@link Departure#CLOSE}). A Mercure hub tells through its subscriptions API:
 * the probe subscribes to a topic of its own, waits until the hub lists the subscription, departs, and polls the
 * list until the subscription is gone or the window has passed.
 */
final class HubDeparture implements Callable<Finding> {

    /** How long a new subscription may take to show in the hub's list. */
    static final long LISTING_NANOS = 5_000_000_000L;

    private final ProbeRun run;
    private final Departure departure;

    HubDeparture(ProbeRun run, Departure departure) {
        this.run = run;
        this.departure = departure;
    }

    @Override
    public Finding call() {
        String label = departure.label(run.target().tls());
        if (run.hub() == null) {
            return Finding.of(departure.check(), label, Outcome.NOT_RUN,
                    "seen only through a Mercure hub's subscriptions API; this is no hub");
        }
        if (!run.hub().canList()) {
            return Finding.of(departure.check(), label, Outcome.NOT_RUN,
                    "give --token (or --subscribe-token) to read the hub's subscriptions API");
        }
        String topic = run.topic(departure.check());
        try (MercureHub hub = run.hub().copy();
             Stream stream = Stream.open(run.target(), run.hubStreamFor(departure.check()), run.headers(), 0,
                     System.nanoTime() + run.window().toNanos())) {
            if (!stream.isEventStream()) {
                return error(label, "the hub answered " + stream.head().status() + " to a subscription to " + topic);
            }
            stream.readUntil(System.nanoTime() + ProbeRun.FIRST_BYTES.toNanos(), () -> stream.tally().bytes() > 0);
            if (hub.awaitListed(topic, 1, System.nanoTime() + LISTING_NANOS) < 0) {
                return Finding.of(departure.check(), label, Outcome.NOT_RUN, "the hub did not list the probe's "
                        + "subscription within " + LISTING_NANOS / 1_000_000_000L + " s");
            }
            departure.play(stream.connection());
            long departed = System.nanoTime();
            long gone = hub.awaitListed(topic, 0, departed + run.window().toNanos());
            Map<String, Object> measures = new LinkedHashMap<>();
            measures.put("noticed", gone >= 0);
            if (gone >= 0) {
                measures.put("after_ms", (gone - departed) / 1_000_000L);
                return new Finding(departure.check(), label, Outcome.NOTICED, "ended the subscription "
                        + Report.millis(gone - departed) + " after " + departure.noun() + " (seen in the hub's list)",
                        null, measures);
            }
            return new Finding(departure.check(), label, Outcome.LEAKS, "still listed the subscription "
                    + Report.seconds(run.window()) + " after " + departure.noun(), departure.why(), measures);
        } catch (MercureHub.HubRefusal e) {
            return Finding.of(departure.check(), label, Outcome.NOT_RUN, e.getMessage());
        } catch (IOException e) {
            return error(label, e.getMessage());
        }
    }

    private Finding error(String label, String message) {
        return new Finding(departure.check(), label, Outcome.ERROR, message, null, Map.of());
    }
}
