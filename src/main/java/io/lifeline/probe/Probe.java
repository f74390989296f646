package io.lifeline.probe;

import io.lifeline.probe.Finding.Outcome;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One probe run. The first stream the probe opens proves the URL serves an event stream and is then held through
 * the window to read the stream's own behaviour; meanwhile each departure runs on a stream of its own, in parallel,
 * so the whole run takes about one window. It ends early once every departure has its answer and the held stream has
 * shown a heartbeat.
 *
 * <p>On a Mercure hub with a publish token, the probe publishes two small updates to a topic of its own, so that
 * the {@code Last-Event-ID} check has ids to resume from, and the stalled-reader check publishes
 * {@value StallCheck#PUBLISHED_BYTES} bytes to another. Nothing is published to any topic but the probe's own.</p>
 */
public final class Probe {

    private static final String OBSERVER = "observer";
    private static final long SLICE_NANOS = 250_000_000L;

    private Probe() {
    }

    /**
     * Probes the URL.
     *
     * @throws ProbeException the URL cannot be reached, or does not serve an event stream
     */
    public static Report run(ProbeOptions options) throws ProbeException {
        Target target = new Target(options.url(), options.headers(), options.insecure());
        String runId = HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        URI wellKnownHub = MercureHub.discover(options.url(), null);
        MercureHub hub = wellKnownHub == null ? null
                : new MercureHub(target, wellKnownHub, options.publishToken(), options.subscribeToken());
        ProbeRun run = new ProbeRun(target, options.url(), hub == null ? List.of() : hub.streamHeaders(), hub,
                options.window(), runId, options.stall());
        long start = System.nanoTime();
        long deadline = start + options.window().toNanos();
        Stream observer = open(run, deadline);
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
            List<Future<Finding>> checks = new ArrayList<>();
            checks.add(pool.submit(new SocketDeparture(run, Departure.FIN)));
            if (target.tls()) {
                checks.add(pool.submit(new SocketDeparture(run, Departure.CLOSE_NOTIFY)));
            }
            checks.add(pool.submit(new HubDeparture(run, Departure.RST)));
            checks.add(pool.submit(new HubDeparture(run, Departure.CLOSE)));
            checks.add(pool.submit(new Http2Departure(run)));
            checks.add(pool.submit(new StallCheck(run)));
            Future<Finding> protocol = pool.submit(new ProtocolCheck(target));

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
                boolean done = checks.stream().allMatch(Future::isDone) && protocol.isDone()
                        && !observer.tally().heartbeatGapsNanos().isEmpty()
                        && (!awaitIds || observer.tally().eventIds().size() >= 2);
                if (done) {
                    break;
                }
                observer.readUntil(Math.min(deadline, System.nanoTime() + SLICE_NANOS), () -> false);
            }

            List<Finding> findings = new ArrayList<>();
            for (Future<Finding> check : checks) {
                findings.add(result(check, options));
            }
            findings.addAll(StreamBehaviour.judge(observer, options.window().toNanos()));
            if (observer.connection().end() != Connection.End.OPEN) {
                findings.add(Finding.of("held-stream", "held stream", Outcome.INFO, "the server "
                        + observer.connection().end().words() + " " + Report.millis(System.nanoTime() - start)
                        + " into the window, with no departure"));
            }
            findings.add(result(protocol, options));
            findings.add(publishFailure != null ? publishFailure : LastEventIdCheck.run(target,
                    run.streamFor(OBSERVER), run.headers(), observer.tally().eventIds()));
            return new Report(options.url(), hub == null ? null : hub.url(), options.window(), findings);
        } catch (IOException e) {
            throw new ProbeException("the held stream failed: " + e.getMessage());
        } finally {
            observer.close();
            pool.shutdownNow();
        }
    }

    /** The first stream: proves that the URL serves an event stream, or says why not. */
    private static Stream open(ProbeRun run, long deadline) throws ProbeException {
        URI url = run.streamFor(OBSERVER);
        Stream stream;
        try {
            stream = Stream.open(run.target(), url, run.headers(), 0, deadline);
        } catch (IOException e) {
            throw new ProbeException(e.getMessage());
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

    private static Finding result(Future<Finding> check, ProbeOptions options) {
        try {
            return check.get(options.window().toSeconds() + 60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return Finding.of("error", "error", Outcome.ERROR, String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            check.cancel(true);
            return Finding.of("error", "error", Outcome.ERROR, "a check did not finish");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Finding.of("error", "error", Outcome.ERROR, "interrupted");
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "lifeline-probe-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
