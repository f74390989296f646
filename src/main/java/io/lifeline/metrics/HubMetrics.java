package io.lifeline.metrics;

import io.lifeline.subscriber.EndReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * What an operator graphs, exposed at {@code /metrics} in the Prometheus text format.
 *
 * <p>Subscribers are counted by the departure watch that guarded them, and ended ones by reason too, so that
 * {@code lifeline_subscribers_started_total} always equals {@code lifeline_subscribers_live} plus
 * {@code lifeline_subscribers_ended_total} summed over reasons. Cleanup latency runs from the moment a departure (or
 * any other end) was noticed to the moment everything the subscriber held was released.</p>
 */
public final class HubMetrics {

    private static final Duration[] CLEANUP_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(5)
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> started = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> live = new ConcurrentHashMap<>();
    private final Map<String, Counter> ended = new ConcurrentHashMap<>();
    private final Map<EndReason, Timer> cleanup = new ConcurrentHashMap<>();
    private final Timer lifetime;
    private final Counter published;
    private final Counter delivered;
    private final Counter eventsLost;
    /** Added to by every queuing and writing thread at once: striped, summed when read. */
    private final LongAdder queuedBytes = new LongAdder();
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();

    /**
     * Why requests are refused or connections closed before they are served, each a label of
     * {@code lifeline_requests_refused_total}: the hub is stopping, a limit is reached, a client too slow.
     */
    public static final List<String> REFUSALS = List.of("stopping", "subscribers-limit", "address-limit",
            "header-timeout", "body-timeout", "hub-unavailable");

    /** @param watchKinds the watches available here, registered up front so every series exists from the start */
    public HubMetrics(List<String> watchKinds) {
        this(watchKinds, null);
    }

    /**
     * @param watchKinds the watches available here, registered up front so every series exists from the start
     * @param node       this node's name in a cluster, given to every series as the label {@code node}; null for
     *                   none
     */
    public HubMetrics(List<String> watchKinds, String node) {
        if (node != null) {
            registry.config().commonTags("node", node);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        published = Counter.builder("lifeline.updates.published")
                .description("Updates accepted from publishers").register(registry);
        delivered = Counter.builder("lifeline.updates.delivered")
                .description("Updates written to subscribers' connections").register(registry);
        eventsLost = Counter.builder("lifeline.subscription.events.lost")
                .description("Subscription events a node of a cluster gave up: Redis did not answer, and too many "
                        + "waited")
                .register(registry);
        Gauge.builder("lifeline.queue.size", queuedBytes, LongAdder::sum).baseUnit("bytes")
                .description("Bytes waiting in subscribers' queues").register(registry);
        lifetime = Timer.builder("lifeline.subscriber.lifetime")
                .description("How long ended subscribers were connected").register(registry);
        for (String kind : watchKinds) {
            Gauge.builder("lifeline.watch.available", () -> 1).tag("watch", kind)
                    .description("Departure watches this container offers").register(registry);
            for (EndReason reason : EndReason.values()) {
                endedCounter(reason, kind);
            }
            startedCounter(kind);
            liveGauge(kind);
        }
        for (EndReason reason : EndReason.values()) {
            cleanupTimer(reason);
        }
        REFUSALS.forEach(this::refusedCounter);
    }

    /** Reports the live view's viewers connected now, as {@code lifeline_live_viewers}. */
    public void liveViewers(IntSupplier viewers) {
        Gauge.builder("lifeline.live.viewers", viewers::getAsInt)
                .description("Viewers of the live view connected now (not subscribers)").register(registry);
    }

    /** A request refused, or a connection closed before its request came, for one of {@link #REFUSALS}. */
    public void refused(String reason) {
        refusedCounter(reason).increment();
    }

    private Counter refusedCounter(String reason) {
        return refused.computeIfAbsent(reason, r -> Counter.builder("lifeline.requests.refused").tag("reason", r)
                .description("Requests refused before they were served, and connections closed before their "
                        + "request came, by reason").register(registry));
    }

    public void subscriberStarted(String watch) {
        startedCounter(watch).increment();
        liveGauge(watch).incrementAndGet();
    }

    public void subscriberEnded(EndReason reason, String watch, Duration age, long cleanupNanos) {
        liveGauge(watch).decrementAndGet();
        endedCounter(reason, watch).increment();
        cleanupTimer(reason).record(Math.max(0, cleanupNanos), TimeUnit.NANOSECONDS);
        lifetime.record(age);
    }

    public void updatePublished() {
        published.increment();
    }

    /** A subscription event a node of a cluster gave up, Redis not answering and too many waiting already. */
    public void subscriptionEventLost() {
        eventsLost.increment();
    }

    public void updateDelivered() {
        delivered.increment();
    }

    public void queuedBytes(long delta) {
        queuedBytes.add(delta);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public long startedTotal() {
        return (long) started.values().stream().mapToDouble(Counter::count).sum();
    }

    public long liveTotal() {
        return live.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long endedTotal() {
        return (long) ended.values().stream().mapToDouble(Counter::count).sum();
    }

    public long ended(EndReason reason) {
        return (long) registry.find("lifeline.subscribers.ended").tag("reason", reason.label()).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    public long queuedBytesTotal() {
        return queuedBytes.sum();
    }

    private Counter startedCounter(String watch) {
        return started.computeIfAbsent(watch, w -> Counter.builder("lifeline.subscribers.started").tag("watch", w)
                .description("Subscribers accepted").register(registry));
    }

    private AtomicLong liveGauge(String watch) {
        return live.computeIfAbsent(watch, w -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("lifeline.subscribers.live", value, AtomicLong::get).tag("watch", w)
                    .description("Subscribers connected now").register(registry);
            return value;
        });
    }

    private Counter endedCounter(EndReason reason, String watch) {
        return ended.computeIfAbsent(reason.label() + "|" + watch, k -> Counter.builder("lifeline.subscribers.ended")
                .tag("reason", reason.label()).tag("watch", watch)
                .description("Subscribers ended, by reason").register(registry));
    }

    private Timer cleanupTimer(EndReason reason) {
        return cleanup.computeIfAbsent(reason, r -> Timer.builder("lifeline.cleanup.latency")
                .tag("reason", r.label())
                .serviceLevelObjectives(CLEANUP_BUCKETS)
                .description("From noticing that a subscriber must end to having released all it held")
                .register(registry));
    }
}
