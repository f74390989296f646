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

    /** What a refusal of the hub's list adds: a token was given, so the departure could not be judged. */
    static final String REFUSED = " (the token must read the subscriptions API)";

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
        Finding unwatchable = unwatchable(run, departure);
        if (unwatchable != null) {
            return unwatchable;
        }
        String topic = run.topic(departure.check());
        try (MercureHub hub = run.hub().copy();
             HeldStream stream = HeldStream.open(run.target(), run.hubStreamFor(departure.check()),
                     run.hubHeaders(), 0, System.nanoTime() + run.window().toNanos())) {
            if (!stream.isEventStream()) {
                return new Finding(departure.check(), label, Outcome.ERROR, "the hub answered "
                        + stream.head().status() + " to a subscription to " + topic, null, Map.of());
            }
            stream.readUntil(System.nanoTime() + ProbeRun.FIRST_BYTES.toNanos(), () -> stream.tally().bytes() > 0);
            return watch(run, departure, hub, () -> departure.play(stream.connection()), "");
        } catch (MercureHub.HubRefusal e) {
            return Finding.of(departure.check(), label, Outcome.ERROR, e.getMessage() + REFUSED);
        } catch (IOException e) {
            return new Finding(departure.check(), label, Outcome.ERROR, e.getMessage(), null, Map.of());
        }
    }

    /** Why this run cannot watch a hub's list for the departure (no hub, no token), or null where it can. */
    static Finding unwatchable(ProbeRun run, Departure departure) {
        String label = departure.label(run.target().tls());
        if (run.hub() == null) {
            return Finding.of(departure.check(), label, Outcome.NOT_RUN,
                    "seen only through a Mercure hub's subscriptions API; this is no hub");
        }
        if (!run.hub().canList()) {
            return Finding.of(departure.check(), label, Outcome.NOT_RUN,
                    "give --token (or --subscribe-token) to read the hub's subscriptions API");
        }
        return null;
    }

    /** How a check leaves its subscription. */
    interface Leave {
        void leave() throws IOException;
    }

    /**
     * Waits until the hub lists the check's subscription, leaves, and polls the list until the subscription is gone
     * or the window has passed.
     *
     * @param how words the detail of a noticed departure ends with, after the time, e.g. {@code , connection kept}
     * @throws MercureHub.HubRefusal the hub refused its list
     */
    static Finding watch(ProbeRun run, Departure departure, MercureHub hub, Leave leave, String how)
            throws IOException {
        String label = departure.label(run.target().tls());
        String topic = run.topic(departure.check());
        if (hub.awaitListed(topic, 1, System.nanoTime() + LISTING_NANOS) < 0) {
            return Finding.of(departure.check(), label, Outcome.NOT_RUN, "the hub did not list the probe's "
                    + "subscription within " + LISTING_NANOS / 1_000_000_000L + " s");
        }
        leave.leave();
        long departed = System.nanoTime();
        long gone = hub.awaitListed(topic, 0, departed + run.window().toNanos());
        Map<String, Object> measures = new LinkedHashMap<>();
        measures.put("noticed", gone >= 0);
        if (gone >= 0) {
            measures.put("after_ms", (gone - departed) / 1_000_000L);
            return new Finding(departure.check(), label, Outcome.NOTICED, "ended the subscription "
                    + Report.millis(gone - departed) + " after " + departure.noun() + how + " (seen in the hub's list)",
                    null, measures);
        }
        return new Finding(departure.check(), label, Outcome.LEAKS, "still listed the subscription "
                + Report.seconds(run.window()) + " after " + departure.noun(), departure.why(), measures);
    }
}
