package io.lifeline.probe;

import io.lifeline.probe.Finding.Outcome;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One probe run. The first stream the probe opens proves the URL serves an event stream and is then held through
 * the window to read the stream's own behaviour; meanwhile each departure runs on a stream of its own, in parallel,
 * so the whole run takes about one window. It ends early once every check has its answer and the held stream has
 * shown a heartbeat. The stalled reader starts once the departures have their answers, so that the megabytes it
 * publishes do not slow the hub while they are timed: where a departure leaks, the run takes up to about
 * {@link #longest two windows}.
 *
 * <p>On a Mercure hub with a publish token, the probe publishes two small updates to a topic of its own, so that
 * the {@code Last-Event-ID} check has ids to resume from, and the stalled-reader check publishes
 * {@value StallCheck#PUBLISHED_BYTES} bytes to another. Nothing is published to any topic but the probe's own.</p>
 */
public final class Probe {

    private static final String OBSERVER = "observer";
    private static final long SLICE_NANOS = 250_000_000L;
    /** What a run may take beyond two windows: first bytes, a listing, a publish, the reconnect, each bounded. */
    private static final Duration SLACK = Duration.ofSeconds(30);

    private Probe() {
    }

    /** The longest a run may take with this window, every check at its deadline. */
    public static Duration longest(Duration window) {
        return window.multipliedBy(2).plus(SLACK);
    }

    /**
     * Probes the URL.
     *
     * @throws ProbeException the URL cannot be reached, or does not serve an event stream
     */
    public static Report run(ProbeOptions options) throws ProbeException {
        Target target = new Target(options.url(), options.headers(), options.insecure());
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String runId = HexFormat.of().formatHex(random);
        URI wellKnownHub = MercureHub.discover(options.url(), null);
        MercureHub hub = wellKnownHub == null ? null
                : new MercureHub(target, wellKnownHub, options.publishToken(), options.subscribeToken());
        ProbeRun run = new ProbeRun(target, options.url(), hub == null ? List.of() : hub.streamHeaders(), hub,
                options.window(), runId, options.stall());
        long start = System.nanoTime();
        long deadline = start + options.window().toNanos();
        long lastResult = start + longest(options.window()).toNanos();
        HeldStream observer = open(run, deadline);
        ExecutorService pool = Executors.newFixedThreadPool(6, daemonThreads());
        try {
            if (hub == null) {
                URI linked = MercureHub.discover(options.url(), observer.head());
                if (linked != null) {
                    hub = new MercureHub(target, linked, options.publishToken(), options.subscribeToken());
                    run = new ProbeRun(target, options.url(), hub.streamHeaders(), hub, options.window(), runId,
                            options.stall());
                }
            }
            boolean tls = target.tls();
            List<Pending> departures = new ArrayList<>();
            departures.add(Pending.of(pool, new SocketDeparture(run, Departure.FIN), Departure.FIN, tls));
            if (tls) {
                departures.add(Pending.of(pool, new SocketDeparture(run, Departure.CLOSE_NOTIFY),
                        Departure.CLOSE_NOTIFY, tls));
            }
            departures.add(Pending.of(pool, new HubDeparture(run, Departure.RST), Departure.RST, tls));
            departures.add(Pending.of(pool, new HubDeparture(run, Departure.CLOSE), Departure.CLOSE, tls));
            departures.add(Pending.of(pool, new Http2Departure(run), Departure.RST_STREAM, tls));
            Pending protocol = new Pending("http2", "HTTP/2", pool.submit(new ProtocolCheck(target)));
            Pending stall = null;

            observer.readUntil(Math.min(deadline, System.nanoTime() + ProbeRun.FIRST_BYTES.toNanos()),
                    () -> observer.tally().bytes() > 0);
            boolean publishing = run.streamIsHub() && hub.canPublish();
            Finding publishFailure = null;
            if (publishing) {
                try (MercureHub publisher = hub.copy()) {
                    publisher.publish(run.topic(OBSERVER), "lifeline probe: first of two updates to resume from");
                    publisher.publish(run.topic(OBSERVER), "lifeline probe: second of two updates");
                } catch (IOException e) {
                    publishing = false;
                    publishFailure = Finding.of("last-event-id", "Last-Event-ID", Outcome.NOT_RUN,
                            "publishing the probe's two updates failed: " + e.getMessage());
                }
            }
            boolean awaitIds = publishing;
            while (System.nanoTime() < deadline && observer.connection().end() == Connection.End.OPEN) {
                boolean departed = departures.stream().allMatch(p -> p.future().isDone());
                if (departed && stall == null) {
                    stall = new Pending("stall", StallCheck.LABEL, pool.submit(new StallCheck(run)));
                }
                boolean done = departed && stall.future().isDone() && protocol.future().isDone()
                        && !observer.tally().heartbeatGapsNanos().isEmpty()
                        && (!awaitIds || observer.tally().eventIds().size() >= 2);
                if (done) {
                    break;
                }
                observer.readUntil(Math.min(deadline, System.nanoTime() + SLICE_NANOS), () -> false);
            }
            long observedUntil = System.nanoTime();
            long observed = observedUntil - start;
            long heldFor = observer.connection().end() == Connection.End.OPEN ? -1 : observer.ageNanos();

            List<Finding> findings = new ArrayList<>();
            for (Pending departure : departures) {
                findings.add(unlessSelfEnded(departure.result(lastResult), heldFor));
            }
            if (stall == null) {
                stall = new Pending("stall", StallCheck.LABEL, pool.submit(new StallCheck(run)));
            }
            findings.add(stall.result(lastResult));
            findings.addAll(StreamBehaviour.judge(observer, observed, observedUntil));
            if (observer.connection().end() != Connection.End.OPEN) {
                findings.add(Finding.of("held-stream", "held stream", Outcome.INFO, "the server "
                        + observer.connection().end().words() + " " + Report.millis(observed)
                        + " into the window, with no departure"));
            }
            findings.add(protocol.result(lastResult));
            findings.add(publishFailure != null ? publishFailure : LastEventIdCheck.run(target,
                    run.streamFor(OBSERVER), run.streamHeaders(), observer.tally().eventIds(),
                    observer.tally().lastEventId()));
            return new Report(options.url(), hub == null ? null : hub.url(), options.window(), findings);
        } catch (IOException e) {
            throw new ProbeException("the held stream failed: " + e.getMessage());
        } finally {
            observer.close();
            target.closeAll();
            pool.shutdownNow();
        }
    }

    /**
     * A departure's line, unless the stream may have ended by itself: where the held stream ended with no departure
     * after {@code heldFor} nanoseconds, a departure's stream that ended at half that age or more may have ended the
     * same way, and its "noticed" would be the server's own lifetime rather than the departure.
     */
    static Finding unlessSelfEnded(Finding finding, long heldFor) {
        Object age = finding.measures().get("age_ms");
        if (heldFor < 0 || finding.outcome() != Outcome.NOTICED || !(age instanceof Long ageMs)
                || ageMs * 2_000_000L < heldFor) {
            return finding;
        }
        return new Finding(finding.check(), finding.label(), Outcome.ERROR, "its stream ended " + ageMs
                + " ms after it began, but the held stream also ended by itself after " + Report.millis(heldFor)
                + ": the server ends its streams on its own, so this end may not be the departure's", null,
                finding.measures());
    }

    /** The first stream: proves that the URL serves an event stream, or says why not. */
    private static HeldStream open(ProbeRun run, long deadline) throws ProbeException {
        URI url = run.streamFor(OBSERVER);
        HeldStream stream;
        try {
            stream = HeldStream.open(run.target(), url, run.streamHeaders(), 0, deadline);
        } catch (IOException e) {
            boolean garbled = e.getMessage() != null && (e.getMessage().contains("before any response")
                    || e.getMessage().contains("in the middle of the response head")
                    || e.getMessage().contains("not HTTP/1.1"));
            throw new ProbeException(e.getMessage() + (garbled && !run.target().tls()
                    ? " (does the server speak TLS on this port? try https://)" : ""));
        }
        if (stream.isEventStream()) {
            return stream;
        }
        ResponseHead head = stream.head();
        stream.close();
        URI hub = MercureHub.discover(run.stream(), head);
        String what = head.status() + (head.reason().isEmpty() ? "" : " " + head.reason())
                + (head.mediaType() == null ? "" : ", " + head.mediaType());
        String hint = head.status() == 401 || head.status() == 403
                ? " (give credentials with --header 'Authorization: Bearer ...', or on a Mercure hub --token)"
                : hub != null ? " (it names a Mercure hub: probe " + hub + "?topic=...)" : "";
        throw new ProbeException("not an event stream: " + run.stream() + " answered " + what
                + (head.status() == 200 ? " instead of text/event-stream" : "") + hint);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "lifeline-probe-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A check under way, named so that its line says which check failed if it does. */
    private record Pending(String check, String label, Future<Finding> future) {

        static Pending of(ExecutorService pool, Callable<Finding> check, Departure departure, boolean tls) {
            return new Pending(departure.check(), departure.label(tls), pool.submit(check));
        }

        /** The check's finding, or an error line of its own if it failed or is still running at the deadline. */
        Finding result(long deadline) {
            try {
                return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                return Finding.of(check, label, Outcome.ERROR, "the check failed: " + e.getCause());
            } catch (TimeoutException e) {
                future.cancel(true);
                return Finding.of(check, label, Outcome.ERROR, "the check did not finish in time");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Finding.of(check, label, Outcome.ERROR, "interrupted");
            }
        }
    }
}
