package io.lifeline.probe;

import io.lifeline.probe.Finding.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The stream's own behaviour, read from the first stream the probe holds through the window: how soon its first
 * byte came, how often it writes when idle, and the response headers that decide whether proxies and caches pass
 * it through.
 */
final class StreamBehaviour {

    /** A first byte later than this is worth a look. */
    static final long PROMPT_NANOS = 1_000_000_000L;
    /**
     * A silence longer than this before a heartbeat is worth a look: half the idle timeout common to proxies and
     * load balancers (nginx's {@code proxy_read_timeout}, 60 s by default).
     */
    static final long QUIET_NANOS = 30_000_000_000L;

    private StreamBehaviour() {
    }

    /**
     * Heartbeats: fine when they come well within proxies' idle timeouts, or when events keep the stream that busy;
     * worth a look when the stream was held long enough to show it silent that long.
     */
    private static Finding heartbeat(EventTally tally, long observedNanos, long observedUntil) {
        List<Long> gaps = tally.heartbeatGapsNanos();
        String retry = tally.retry() == null ? "" : "; retry " + tally.retry() + " ms";
        String why = "Proxies close streams idle too long (nginx after 60 s), and a server learns of a lost client "
                + "only when it writes.";
        if (!gaps.isEmpty()) {
            long longest = gaps.stream().mapToLong(Long::longValue).max().orElse(0);
            return new Finding("heartbeat", "heartbeat", longest > QUIET_NANOS ? Outcome.CHECK : Outcome.OK,
                    "written after " + Report.seconds(longest) + " of silence (" + gaps.size() + " seen)" + retry,
                    longest > QUIET_NANOS ? why : null,
                    Map.of("interval_ms", longest / 1_000_000L, "seen", gaps.size()));
        }
        long silence = tally.longestSilenceNanos(observedUntil);
        if (tally.events() > 0 && silence <= QUIET_NANOS) {
            return new Finding("heartbeat", "heartbeat", Outcome.OK, "none seen, none needed: events came, silent "
                    + Report.seconds(silence) + " at most" + retry, null,
                    Map.of("seen", 0, "longest_silence_ms", silence / 1_000_000L));
        }
        if (observedNanos < 2 * QUIET_NANOS) {
            return new Finding("heartbeat", "heartbeat", Outcome.INFO, "none in the " + Report.seconds(observedNanos)
                    + " the stream was held (a longer --window shows one, if it comes)" + retry, null,
                    Map.of("seen", 0));
        }
        return new Finding("heartbeat", "heartbeat", Outcome.CHECK, "none in the " + Report.seconds(observedNanos)
                + " the stream was held" + retry, why, Map.of("seen", 0));
    }

    /**
     * @param observedNanos how long the stream was held, from the request on
     * @param observedUntil when the holding ended ({@link System#nanoTime()})
     */
    static List<Finding> judge(HeldStream stream, long observedNanos, long observedUntil) {
        List<Finding> findings = new ArrayList<>();
        long firstByte = stream.firstByteAfterNanos();
        if (firstByte >= 0 && firstByte <= PROMPT_NANOS) {
            findings.add(new Finding("first-byte", "first byte", Outcome.OK, Report.millis(firstByte)
                    + " after the request", null, Map.of("after_ms", firstByte / 1_000_000L)));
        } else {
            findings.add(new Finding("first-byte", "first byte", Outcome.CHECK, firstByte < 0
                    ? "none in the " + Report.seconds(observedNanos) + " the stream was held (its head came after "
                    + Report.millis(stream.headAfterNanos()) + ")" : Report.millis(firstByte) + " after the request",
                    "A stream that writes nothing at first looks stuck behind a buffering proxy, and the client "
                            + "cannot tell a slow server from a lost one.",
                    firstByte < 0 ? Map.of() : Map.of("after_ms", firstByte / 1_000_000L)));
        }
        findings.add(heartbeat(stream.tally(), observedNanos, observedUntil));
        ResponseHead head = stream.head();
        String contentType = head.field("content-type");
        String charset = contentType != null && contentType.toLowerCase(Locale.ROOT).contains("charset=")
                && !contentType.toLowerCase(Locale.ROOT).matches(".*charset=\"?utf-8\"?.*") ? contentType
                : null;
        findings.add(charset == null ? Finding.of("content-type", "Content-Type", Outcome.OK, contentType)
                : new Finding("content-type", "Content-Type", Outcome.CHECK, contentType,
                "An event stream is always UTF-8 (WHATWG HTML, section 9.2.5); another charset misleads.", Map.of()));
        String cacheControl = head.field("cache-control");
        boolean uncached = head.lists("cache-control", "no-cache") || head.lists("cache-control", "no-store");
        findings.add(uncached ? Finding.of("cache-control", "Cache-Control", Outcome.OK, cacheControl)
                : new Finding("cache-control", "Cache-Control", Outcome.CHECK,
                cacheControl == null ? "absent" : cacheControl,
                "Without no-cache or no-store, a cache between client and server may hold the stream.", Map.of()));
        String accel = head.field("x-accel-buffering");
        findings.add("no".equalsIgnoreCase(accel) ? Finding.of("x-accel-buffering", "X-Accel-Buffering", Outcome.OK,
                accel) : new Finding("x-accel-buffering", "X-Accel-Buffering", Outcome.INFO,
                accel == null ? "absent" : accel, "Behind nginx, a stream is buffered unless the response says "
                + "X-Accel-Buffering: no or nginx has proxy_buffering off.", Map.of()));
        findings.add(Finding.of("framing", "framing", Outcome.INFO, head.version() + " " + head.status() + ", "
                + stream.connection().framing()));
        return findings;
    }
}
