package io.lifeline.probe;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * What every check of one probe run shares.
 *
 * @param target  the server
 * @param stream  the stream URL as given, with the probe's own topic added where it is a hub's
 * @param hubHeaders extra header lines for stream requests to the hub (its subscribe token)
 * @param hub     the Mercure hub behind the URL, or null
 * @param window  how long each departure is watched
 * @param runId   a random name for this run, part of every topic the probe subscribes to or publishes on
 * @param stall   whether the stalled-reader check may run
 */
record ProbeRun(Target target, URI stream, List<String> hubHeaders, MercureHub hub, Duration window, String runId,
                boolean stall) {

    /** How long a check waits for a stream's first bytes before it departs anyway. */
    static final Duration FIRST_BYTES = Duration.ofSeconds(2);
    /**
     * How long a check goes on reading after the first bytes before it departs, so that a server that ends every
     * response at once is not taken for one that noticed.
     */
    static final Duration SETTLE = Duration.ofMillis(200);

    /** The topic the probe uses for one check on a hub: a URN no one else subscribes to (RFC 8141). */
    String topic(String check) {
        return "urn:lifeline:probe:" + runId + ":" + check;
    }

    /** Whether the URL given is the hub's own, rather than a resource whose {@code Link} names a hub. */
    boolean streamIsHub() {
        return hub != null && stream.getRawPath() != null && stream.getRawPath().equals(hub.url().getRawPath());
    }

    /**
     * The URL a check that watches its own socket subscribes to: the one given, and on a hub with a topic of the
     * check's own added, so that the updates the probe publishes reach it and the hub's list can tell it apart.
     */
    URI streamFor(String check) {
        if (!streamIsHub()) {
            return stream;
        }
        String named = MercureHub.topicParameter(stream);
        return Target.withParameter(stream, named == null ? hub.topicParameter() : named, topic(check));
    }

    /** The extra header lines for a request to {@link #streamFor}: the hub's where the URL is the hub's own. */
    List<String> streamHeaders() {
        return streamIsHub() ? hubHeaders : List.of();
    }

    /**
     * The URL a check that watches the hub's list subscribes to: the hub's, with the check's topic alone, named as
     * the hub's list for this token shows it ({@link MercureHub#topicParameter()}).
     */
    URI hubStreamFor(String check) {
        return Target.withParameter(hub.url(), hub.topicParameter(), topic(check));
    }
}
