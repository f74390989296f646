package io.lifeline.probe;

import io.lifeline.probe.Finding.Outcome;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A reader that stops reading, on a Mercure hub: not a departure but a slow consumer, so the verdict is
 * information and outside the exit status. The probe subscribes to a topic of its own with a
 * {@value #RECEIVE_BUFFER}-byte receive buffer, reads the first bytes, stops, publishes {@value #PUBLISHED_BYTES}
 * bytes of updates to the topic, and watches the hub's list: did the hub end the stream, and when.
 *
 * <p>On loopback a client that reads nothing still takes 3-4 MB into kernel buffers before the server's sends
 * block, so a smaller amount would not stall anything. The updates start at {@value #UPDATE_BYTES} bytes each and
 * halve while the hub answers 413.</p>
 */
final class StallCheck implements Callable<Finding> {

    /** Bytes of update data published to the stalled reader. */
    static final int PUBLISHED_BYTES = 8 * 1024 * 1024;
    /** The data of the first update, in bytes. */
    static final int UPDATE_BYTES = 512 * 1024;
    /** The stalled socket's receive buffer, in bytes. */
    static final int RECEIVE_BUFFER = 4096;

    private static final String CHECK = "stall";
    /** The table's label. */
    static final String LABEL = "stalled reader";

    private final ProbeRun run;

    StallCheck(ProbeRun run) {
        this.run = run;
    }

    @Override
    public Finding call() {
        if (run.hub() == null) {
            return Finding.of(CHECK, LABEL, Outcome.NOT_RUN, "needs a Mercure hub to publish to; this is no hub");
        }
        if (!run.stall()) {
            return Finding.of(CHECK, LABEL, Outcome.NOT_RUN, "left out (--no-stall)");
        }
        if (!run.hub().canPublish() || !run.hub().canList()) {
            return Finding.of(CHECK, LABEL, Outcome.NOT_RUN,
                    "give --token (or --publish-token and --subscribe-token) to publish and read the hub's list");
        }
        String topic = run.topic(CHECK);
        try (MercureHub hub = run.hub().copy();
             HeldStream stream = HeldStream.open(run.target(), run.hubStreamFor(CHECK), run.hubHeaders(),
                     RECEIVE_BUFFER, System.nanoTime() + run.window().toNanos())) {
            if (!stream.isEventStream()) {
                return Finding.of(CHECK, LABEL, Outcome.ERROR, "the hub answered " + stream.head().status()
                        + " to a subscription to " + topic);
            }
            stream.readUntil(System.nanoTime() + ProbeRun.FIRST_BYTES.toNanos(), () -> stream.tally().bytes() > 0);
            if (hub.awaitListed(topic, 1, System.nanoTime() + HubDeparture.LISTING_NANOS) < 0) {
                return Finding.of(CHECK, LABEL, Outcome.NOT_RUN, "the hub did not list the probe's subscription");
            }
            long stalled = System.nanoTime();
            long published = 0;
            int size = UPDATE_BYTES;
            while (published < PUBLISHED_BYTES && System.nanoTime() - stalled < run.window().toNanos()) {
                try {
                    hub.publish(topic, "x".repeat(size));
                    published += size;
                } catch (MercureHub.HubRefusal e) {
                    if (!e.tooLarge() || size <= 1024) {
                        throw e;
                    }
                    size /= 2;
                }
                if (published % (1024 * 1024) == 0 && hub.listed(topic) == 0) {
                    break;
                }
            }
            long gone = hub.awaitListed(topic, 0, stalled + run.window().toNanos());
            Map<String, Object> measures = new LinkedHashMap<>();
            measures.put("ended", gone >= 0);
            measures.put("published_bytes", published);
            measures.put("receive_buffer_bytes", RECEIVE_BUFFER);
            String amount = Report.mebibytes(published) + " published";
            if (gone >= 0) {
                measures.put("after_ms", (gone - stalled) / 1_000_000L);
                return new Finding(CHECK, LABEL, Outcome.INFO, "ended the subscription "
                        + Report.millis(gone - stalled) + " after the reader stopped (" + amount
                        + "; seen in the hub's list)", null, measures);
            }
            return new Finding(CHECK, LABEL, Outcome.INFO, "still listed the subscription " + Report.seconds(
                    run.window()) + " after the reader stopped (" + amount + "): it keeps what a stalled reader "
                    + "cannot take, in memory or in TCP buffers", null, measures);
        } catch (MercureHub.HubRefusal e) {
            return Finding.of(CHECK, LABEL, Outcome.NOT_RUN, e.getMessage());
        } catch (IOException e) {
            return Finding.of(CHECK, LABEL, Outcome.ERROR, e.getMessage());
        }
    }
}
