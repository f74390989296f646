package io.lifeline.subscriber;

import io.lifeline.auth.Claims;
import io.lifeline.tcp.SocketError;
import io.lifeline.timer.TimerWheel;
import io.lifeline.topic.Matcher;
import io.lifeline.watch.DepartureListener;
import io.lifeline.watch.DepartureWatch;
import io.lifeline.watch.NoWatch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream, from the moment it is accepted until it ends, and everything it holds meanwhile: its place
 * in the topic index, its timers, its departure watch, its queue and its response.
 *
 * <p>A subscriber is open until {@link #end(EndReason)}, the single door out, is called by whoever notices first
 * that it must end: the departure watch (FIN, RST), a failed or stalled write, a deadline, the hub's shutdown. One
 * compare-and-set decides the winner; every other caller, at the same moment or later, returns at once. The winner
 * releases in a fixed order:</p>
 * <ol>
 *   <li>remove it from the topic index, so no new frame arrives;</li>
 *   <li>leave the heartbeat rounds and cancel its deadlines;</li>
 *   <li>cancel its departure watch, which must happen before the response completes;</li>
 *   <li>drop its queued frames;</li>
 *   <li>complete the response, or abort the connection when bytes may be stuck in it;</li>
 *   <li>count the end and log it, once.</li>
 * </ol>
 * <p>No step can throw past the next. Steps 4 to 6 run on whichever thread holds the writer (the ending thread
 * itself unless a write is in progress), so the response is never written and completed at once. A publisher never
 * runs them: a queue that overflows while a publisher fans out is only marked, and the subscriber ends on the host's
 * release thread.</p>
 *
 * <p>Its client always holds a cursor: right after any replay, before the first live update, the stream carries an
 * id-only block naming the hub's position, and every update carries its id. An end the hub decides (maximum
 * lifetime, shutdown, token expiry) first writes the hub's position again, so the client resumes with
 * {@code Last-Event-ID} from exactly there.</p>
 */
public final class Subscriber implements DepartureListener {

    /** The logger of the one INFO line written when a subscriber starts and the one written when it ends. */
    public static final String LIFECYCLE_LOG = "io.lifeline.subscribers";

    // Its atomic fields are plain fields updated through VarHandles, not one atomic object each (see Outbox).
    private static final VarHandle END_REASON =
            Fields.handle(MethodHandles.lookup(), "endReason", EndReason.class);
    private static final VarHandle INPUT_ENDED = Fields.handle(MethodHandles.lookup(), "inputEnded", boolean.class);
    private static final VarHandle STALL_CHECK_SCHEDULED =
            Fields.handle(MethodHandles.lookup(), "stallCheckScheduled", boolean.class);
    private static final VarHandle PENDING_END =
            Fields.handle(MethodHandles.lookup(), "pendingEnd", PendingEnd.class);

    private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);

    /**
     * How long the departure probe may take after the input ended. A FIN is the common case; if the probe cannot
     * even be written by then, the client is gone all the same and ends {@code client-closed}.
     */
    static final Duration PROBE_WINDOW = Duration.ofMillis(250);

    private final String id;
    /**
     * Its matchers, kept as their values and, only when some matcher is not a draft-07 selector, their types: a
     * {@link Matcher} object each would cost a million draft-07 subscribers of two topics about 50 B of heap each.
     */
    private final List<String> topics;
    private final Matcher.Type[] types;
    private final Claims claims;
    private final String remote;
    private final String clientAddress;
    private final SubscriberHost host;
    private final Outbox outbox;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();

    /** Set once, by the one door out ({@link #END_REASON}). */
    private volatile EndReason endReason;
    private volatile boolean inputEnded;
    private volatile boolean stallCheckScheduled;
    /** How the subscriber ends once its final frame has gone out. */
    private volatile PendingEnd pendingEnd;
    private volatile long endedNanos;
    private volatile long inputEndedNanos;
    private volatile String watchKind = "unwatched";
    private volatile DepartureWatch.Handle watch;
    /** Where it waits for its heartbeats ({@link Heartbeats}): slot -1 while it gets none; guarded by the slot. */
    volatile int heartbeatSlot = -1;
    int heartbeatIndex;
    private volatile TimerWheel.Timeout expiry;
    private volatile TimerWheel.Timeout lifetime;
    private volatile TimerWheel.Timeout finalDeadline;
    private volatile TimerWheel.Timeout stallCheck;

    /**
     * The sequence number of the last update queued for it, or of the last one published when it joined; the hub
     * fans out one update at a time, in order.
     */
    private volatile long lastOfferedSequence = -1;

    /**
     * @param matchers      what it subscribed to, in either dialect's terms (see {@link Matcher})
     * @param claims        the subscriber's verified token, or null for an anonymous subscriber
     * @param remote        the peer's address and port, for logs
     * @param clientAddress the address its client counts under for the hub's limits (through trusted proxies)
     */
    public Subscriber(String id, List<Matcher> matchers, Claims claims, String remote, String clientAddress,
                      SseStream stream, SubscriberHost host) {
        this.id = Objects.requireNonNull(id);
        List<String> values = new ArrayList<>(matchers.size());
        Matcher.Type[] kinds = new Matcher.Type[matchers.size()];
        boolean onlySelectors = true;
        for (int i = 0; i < kinds.length; i++) {
            Matcher matcher = matchers.get(i);
            values.add(matcher.value());
            kinds[i] = matcher.type();
            onlySelectors &= kinds[i] == Matcher.Type.SELECTOR;
        }
        this.topics = List.copyOf(values);
        this.types = onlySelectors ? null : kinds;
        this.claims = claims;
        this.remote = remote;
        this.clientAddress = clientAddress;
        this.host = host;
        this.outbox = new Outbox(this, stream, host, host.limits().queueBytes());
        outbox.offer(Frame.OPENING);
    }

    /**
     * Attaches the departure watch before it is armed. If the subscriber has already ended, the watch is cancelled
     * here, so arming it later does nothing.
     */
    public void attachWatch(String kind, DepartureWatch.Handle handle) {
        this.watchKind = kind;
        this.watch = handle;
        if (isEnded()) {
            handle.cancel();
        }
    }

    /** Starts the timers; called once the subscriber is in the topic index. */
    public void start() {
        host.heartbeats().add(this);
        if (claims != null && claims.refusedFrom() != null) {
            // the instant the hub starts refusing the token, so that the client cannot come straight back with it
            Duration left = Duration.between(Instant.now(), claims.refusedFrom());
            expiry = host.timer().schedule(left, () -> host.endWithCursor(this, EndReason.TOKEN_EXPIRED,
                    reconnectMillis()));
        }
        Duration bound = NoWatch.KIND.equals(watchKind) ? host.limits().unwatchedLifetime()
                : host.limits().watchedLifetime();
        if (!bound.isZero()) {
            lifetime = host.timer().schedule(jittered(bound), this::reachedMaxLifetime);
        }
        if (isEnded()) {
            cancelTimers();
        }
    }

    /**
     * A lifetime shortened at random by up to a fifth, so that subscribers who connected together do not all
     * reconnect together.
     */
    private static Duration jittered(Duration bound) {
        return Duration.ofNanos(bound.toNanos() - ThreadLocalRandom.current().nextLong(bound.toNanos() / 5 + 1));
    }

    /**
     * The bound that keeps a departure nobody can see from leaking forever: the stream ends, and the client,
     * told to come back shortly, reconnects with {@code Last-Event-ID} and misses nothing.
     */
    private void reachedMaxLifetime() {
        host.endWithCursor(this, EndReason.MAX_LIFETIME, reconnectMillis());
    }

    /**
     * The {@code retry:} hint of an end the hub decides for this subscriber alone: 0.5 to 1.5 s, at random, so that
     * subscribers ended together do not all come back together.
     */
    private static long reconnectMillis() {
        return 500 + ThreadLocalRandom.current().nextLong(1000);
    }

    /**
     * Queues the id-only block that gives the client its cursor; the hub calls it once, after any replay and before
     * the first live update.
     */
    public void offerCursor(String position) {
        outbox.offerOwn(Frame.cursor(position), false);
    }

    /** Queues an update's frame; never blocks. Returns false if the subscriber has ended or just overflowed. */
    public boolean offer(Frame frame) {
        if (outbox.offer(frame)) {
            outbox.requestWrite();
            return true;
        }
        return false;
    }

    /**
     * Queues an update's frame, for a caller that hands writes to writer threads in batches: returns true if this
     * subscriber now needs a writer run, which the caller must see to with {@link #write()}; false if one is pending
     * already, or the subscriber has ended or just overflowed. Where the queue holds more than half its bound, the
     * caller first drains it on the spot, waiting for a writer that is busy with it until {@code catchUpUntilNanos} at
     * the latest, never for a client (see {@link Outbox#drainIfDeep}).
     */
    public boolean offerForBatch(Frame frame, long catchUpUntilNanos) {
        if (!outbox.offer(frame)) {
            return false;
        }
        outbox.drainIfDeep(catchUpUntilNanos);
        return outbox.claimWriter();
    }

    /** Writes what is queued, on the calling thread: the run {@link #offerForBatch} asked for. */
    public void write() {
        outbox.runWriter();
    }

    /**
     * Whether this update, numbered {@code sequence} by the hub, is one to queue for this subscriber: not queued yet
     * (a subscriber matched through several topics gets it once) and published after it joined (those before, it
     * had in its replay or did not ask for). The hub fans out one update at a time, in order.
     */
    public boolean firstOffer(long sequence) {
        if (sequence <= lastOfferedSequence) {
            return false;
        }
        lastOfferedSequence = sequence;
        return true;
    }

    /**
     * Sets where it joined the hub's order of updates: the fan-out gives it only updates numbered above
     * {@code sequence}. Called once, before it is put in the topic index.
     */
    public void joinAfter(long sequence) {
        lastOfferedSequence = sequence;
    }

    /** The container can take bytes again. */
    public void onWritable() {
        outbox.onWritable();
    }

    /**
     * The container reported that the response failed: {@code client-timeout} when the kernel gave up on the
     * connection ({@code ETIMEDOUT}; {@code write-stalled} where the watch finds the client answered the kernel's
     * probes of its shut window), the departure the watch recognizes in it (an HTTP/2 stream reset or dropped
     * connection reaches the response before any listener), {@code timeout} for an idle timeout, else
     * {@code write-failed}.
     */
    public void onWriteFailed(Throwable failure) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("subscriber {} write failed: {}", id, failure.toString());
        }
        DepartureWatch.Handle w = watch;
        if (SocketError.of(failure) == SocketError.TIMED_OUT) {
            // the write was the first to hear that the kernel gave up: the watch, which reaches the connection, tells
            // a client that stopped reading from one that vanished
            if (w == null || !w.explain(failure)) {
                end(EndReason.CLIENT_TIMEOUT);
            }
        } else if (inputEnded) {
            end(EndReason.CLIENT_RESET, inputEndedNanos);
        } else if (w != null && w.explain(failure)) {
            return; // the watch told this subscriber which departure it was
        } else if (isTimeout(failure)) {
            end(EndReason.TIMEOUT);
        } else {
            end(EndReason.WRITE_FAILED);
        }
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onInputEnded(long detectedNanos) {
        if (isEnded() || !INPUT_ENDED.compareAndSet(this, false, true)) {
            return;
        }
        inputEndedNanos = detectedNanos;
        endAfter(Frame.PROBE, EndReason.CLIENT_CLOSED, detectedNanos, PROBE_WINDOW, true);
    }

    /**
     * Ends the subscriber once {@code last} has gone out, or after {@code within} if it cannot: the shutdown's way
     * to tell each client when to reconnect before closing its stream.
     */
    public void endAfterWriting(Frame last, EndReason reason, Duration within) {
        endAfter(last, reason, System.nanoTime(), within, false);
    }

    /**
     * The queue overflowed, once, while someone (a publisher, usually) queued a frame: the subscriber ends
     * {@code write-stalled} on the host's release thread, so that the one who overflowed it returns at once and no
     * writer is held up.
     */
    void onOverflow() {
        long noticed = System.nanoTime();
        try {
            host.releases().execute(() -> end(EndReason.WRITE_STALLED, noticed));
        } catch (RejectedExecutionException stopping) {
            end(EndReason.WRITE_STALLED, noticed);
        }
    }

    private void endAfter(Frame last, EndReason reason, long detectedNanos, Duration within, boolean writeNow) {
        if (isEnded() || !PENDING_END.compareAndSet(this, null, new PendingEnd(reason, detectedNanos))) {
            return; // already ending some other way
        }
        finalDeadline = host.timer().schedule(within, () -> end(reason, detectedNanos));
        if (isEnded()) {
            finalDeadline.cancel();
            return;
        }
        outbox.offerOwn(last, writeNow);
    }

    /** Queues an update replayed from the history, before any live update. */
    public void offerReplay(Frame frame) {
        outbox.offerReplay(frame);
    }

    @Override
    public void onClosed(long detectedNanos) {
        end(EndReason.CLIENT_CLOSED, detectedNanos);
    }

    @Override
    public void onReset(long detectedNanos) {
        end(EndReason.CLIENT_RESET, detectedNanos);
    }

    @Override
    public void onTimedOut(long detectedNanos) {
        end(EndReason.CLIENT_TIMEOUT, detectedNanos);
    }

    /** A client that stopped reading while its stream was quiet: it did not take its bytes. */
    @Override
    public void onStoppedReading(long detectedNanos) {
        end(EndReason.WRITE_STALLED, detectedNanos);
    }

    /**
     * The last frame went out: after the probe, the client sent a FIN, not an RST; after the shutdown's hint, the
     * client knows when to come back.
     */
    void onFinalFrameWritten() {
        PendingEnd pending = pendingEnd;
        if (pending != null) {
            end(pending.reason(), pending.detectedNanos());
        }
    }

    /** A write did not finish at once; if it is still unfinished after the dispatch timeout, the subscriber ends. */
    void onWriteBlocked() {
        scheduleStallCheck(host.limits().dispatchTimeout());
    }

    /** Ends the subscriber, noticed now. Returns true for the one caller that ended it. */
    public boolean end(EndReason reason) {
        return end(reason, System.nanoTime());
    }

    /**
     * Ends the subscriber. Returns true for the one caller that ended it.
     *
     * @param detectedNanos when the reason was noticed, for the cleanup-latency metric
     */
    public boolean end(EndReason reason, long detectedNanos) {
        if (!END_REASON.compareAndSet(this, null, reason)) {
            return false;
        }
        endedNanos = System.nanoTime();
        boolean abort = reason.abortsConnection() || outbox.isBlocked();
        step("unindex", () -> host.unindex(this));
        step("cancel timers", this::cancelTimers);
        step("cancel watch", () -> {
            DepartureWatch.Handle w = watch;
            if (w != null) {
                w.cancel();
            }
        });
        step("close response", () -> outbox.close(abort,
                () -> step("record end", () -> host.ended(this, reason, detectedNanos, System.nanoTime()))));
        return true;
    }

    private void step(String name, Runnable step) {
        try {
            step.run();
        } catch (Throwable e) {
            LOG.warn("subscriber {}: releasing ({}) failed; continuing", id, name, e);
        }
    }

    /**
     * Writes a heartbeat now, outside the schedule, unless the stream is busy: the F5 demonstration's way to show
     * that writes to a client that left unseen go on succeeding. The scheduled heartbeats go on as before.
     */
    public void heartbeatNow() {
        if (!isEnded()) {
            outbox.offerHeartbeat();
        }
    }

    /** Its turn in a round of heartbeats: writes one on the calling thread if its stream is idle. */
    void heartbeat() {
        if (!isEnded()) {
            outbox.heartbeat();
        }
    }

    private void scheduleStallCheck(Duration delay) {
        if (STALL_CHECK_SCHEDULED.compareAndSet(this, false, true)) {
            stallCheck = host.timer().schedule(delay, this::checkStall);
            if (isEnded()) {
                stallCheck.cancel();
            }
        }
    }

    private void checkStall() {
        stallCheckScheduled = false;
        long since = outbox.blockedSinceNanos();
        if (since == 0 || isEnded()) {
            return;
        }
        long left = host.limits().dispatchTimeout().toNanos() - (System.nanoTime() - since);
        if (left <= 0) {
            end(EndReason.WRITE_STALLED);
        } else {
            scheduleStallCheck(Duration.ofNanos(left));
        }
    }

    private void cancelTimers() {
        host.heartbeats().remove(this);
        for (TimerWheel.Timeout t : new TimerWheel.Timeout[] {expiry, lifetime, finalDeadline, stallCheck}) {
            if (t != null) {
                t.cancel();
            }
        }
    }

    public String id() {
        return id;
    }

    /** What it subscribed to, in order; built on each call, so a caller that matches many updates asks once. */
    public List<Matcher> matchers() {
        List<Matcher> matchers = new ArrayList<>(topics.size());
        for (int i = 0; i < topics.size(); i++) {
            matchers.add(new Matcher(types == null ? Matcher.Type.SELECTOR : types[i], topics.get(i)));
        }
        return matchers;
    }

    /** The values of its matchers (its topic selectors, for a draft-07 subscriber), in order. */
    public List<String> topics() {
        return topics;
    }

    /** Its verified token, or null when anonymous. */
    public Claims claims() {
        return claims;
    }

    public String remote() {
        return remote;
    }

    /** The address its client counts under for the hub's limits. */
    public String clientAddress() {
        return clientAddress;
    }

    public String watchKind() {
        return watchKind;
    }

    public boolean isEnded() {
        return endReason != null;
    }

    /** Why it ended, or null while it is open. */
    public EndReason endReason() {
        return endReason;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** How long it has lived, or lived in all once ended. */
    public Duration age() {
        long end = endedNanos;
        return Duration.ofNanos((end != 0 ? end : System.nanoTime()) - startedNanos);
    }

    /** {@link System#nanoTime()} when it ended, or 0 while open. */
    public long endedNanos() {
        return endedNanos;
    }

    public long updatesSent() {
        return outbox.updatesSent();
    }

    public long bytesSent() {
        return outbox.bytesSent();
    }

    public long queuedBytes() {
        return outbox.queuedBytes();
    }

    private record PendingEnd(EndReason reason, long detectedNanos) {
    }

    @Override
    public String toString() {
        return "Subscriber[" + id + ", " + (isEnded() ? endReason.label() : "open") + "]";
    }
}
