package io.lifeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeline.auth.Authorizer;
import io.lifeline.auth.draft07.Jwts;
import io.lifeline.config.JwtKey;
import io.lifeline.hub.Hub;
import io.lifeline.metrics.HubMetrics;
import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.subscriber.SubscriberHost;
import io.lifeline.testing.MemoryStream;
import io.lifeline.testing.Poll;
import io.lifeline.topic.Matcher;
import io.lifeline.topic.TemplateTopicMatcher;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The hub's core at a million subscribers, without sockets: the same {@code Hub}, {@code Subscriber}, topic index,
 * timer and fan-out, each subscriber writing to an in-memory stream in place of a servlet response. It holds the
 * subscribers over 100,000 topics (ten each) plus one topic they all share, and measures the heap per subscriber,
 * how late heartbeats are written (15 s apart, two rounds), and the time from one publish to the shared topic to
 * the last of its deliveries queued, with a new subscriber added meanwhile from another thread.
 *
 * <p>Not part of {@code mvn verify}: run it with {@code mvn -B test -Dtest=HubCoreBench
 * -Dsurefire.failIfNoSpecifiedTests=false -Dlifeline.test.maxHeap=6g
 * -Dlifeline.test.jvm="-XX:+UseParallelGC -Xms6g -XX:NewRatio=7"} (the collector, fixed heap and young generation the
 * embedded program recommends with more than one processor;
 * {@code -Dlifeline.bench.subscribers=N} for another count); it writes its table to
 * {@code target/bench/hub-core.md} and takes about three minutes. Subscription
 * events are off: a million of them would only measure the history; so are the subscribers' start and end lines.</p>
 */
class HubCoreBench {

    private static final int SUBSCRIBERS = Integer.getInteger("lifeline.bench.subscribers", 1_000_000);
    private static final int TOPICS = Math.max(1, SUBSCRIBERS / 10);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final String SHARED = "https://example.com/everyone";
    /** Publishes to all, one after another, of which the median is reported. */
    private static final int PUBLISHES = 3;

    /** Heartbeat lateness, by millisecond, up to 60 s. */
    private static final AtomicLongArray LATENESS = new AtomicLongArray(60_001);

    @Test
    void oneNodeHoldsAMillionSubscribersInItsCore() throws Exception {
        // The core, not the console: two million start and end lines would measure the log handler.
        java.util.logging.Logger.getLogger(Hub.END_LOG).setLevel(java.util.logging.Level.WARNING);
        Hub hub = hub();
        List<Lateness> streams = new ArrayList<>(SUBSCRIBERS);
        try {
            long heapBefore = usedHeap();
            long addStart = System.nanoTime();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                Lateness written = new Lateness();
                Subscriber subscriber = new Subscriber("urn:uuid:s-" + i,
                        Matcher.selectors(List.of("https://example.com/topics/" + (i % TOPICS), SHARED)), null,
                        "memory", "memory", new MemoryStream(written), hub);
                hub.add(subscriber, null);
                subscriber.onWritable();
                streams.add(written);
            }
            double addSeconds = (System.nanoTime() - addStart) / 1e9;
            long heapAfter = usedHeap();
            double heapPerSubscriber = (heapAfter - heapBefore) / (double) SUBSCRIBERS;

            // Publishes to the topic every subscriber shares, one after another; a new subscriber is added during
            // the first. Each is timed with the collector's pauses that fell inside it.
            AtomicLong addedDuringFanOut = new AtomicLong();
            List<long[]> fanOuts = new ArrayList<>(); // {milliseconds, of which collector milliseconds}
            for (int round = 0; round < PUBLISHES; round++) {
                Thread newcomer = round > 0 ? null : new Thread(() -> {
                    long t0 = System.nanoTime();
                    hub.add(new Subscriber("urn:uuid:newcomer",
                            Matcher.selectors(List.of("https://example.com/newcomer")), null, "memory", "memory",
                            new MemoryStream(new Lateness()), hub), null);
                    addedDuringFanOut.set(System.nanoTime() - t0);
                });
                long gcBefore = collectorMillis();
                long publishStart = System.nanoTime();
                String id = "urn:uuid:everyone-" + round;
                Thread publisher = new Thread(() -> hub.publish(new Update(id, List.of(SHARED), "x", null,
                        OptionalLong.empty(), false)));
                publisher.start();
                if (newcomer != null) {
                    Thread.sleep(5); // lets the fan-out begin before the newcomer asks in
                    newcomer.start();
                }
                publisher.join();
                fanOuts.add(new long[] {(System.nanoTime() - publishStart) / 1_000_000, collectorMillis() - gcBefore});
                if (newcomer != null) {
                    newcomer.join();
                }
                awaitWritten(streams, round + 1);
            }
            long[] median = fanOuts.stream().sorted(Comparator.comparingLong(f -> f[0])).toList()
                    .get(PUBLISHES / 2);
            StringBuilder each = new StringBuilder();
            for (long[] f : fanOuts) {
                each.append(each.length() == 0 ? "" : ", ").append(f[0]).append(" (").append(f[1]).append(")");
            }

            // Two rounds of heartbeats, measured from the first of each subscriber's.
            for (int i = 0; i < LATENESS.length(); i++) {
                LATENESS.set(i, 0);
            }
            Thread.sleep(HEARTBEAT.multipliedBy(2).plusSeconds(2).toMillis());
            long[] percentiles = percentiles(0.5, 0.99, 1.0);
            long beats = 0;
            for (int i = 0; i < LATENESS.length(); i++) {
                beats += LATENESS.get(i);
            }

            String table = "| measure | value |\n|---|---|\n"
                    + "| subscribers (topics) | " + SUBSCRIBERS + " (" + TOPICS + " + 1 shared) |\n"
                    + "| heap per subscriber, after a full GC | " + Math.round(heapPerSubscriber) + " B |\n"
                    + "| adding them all, one thread | " + String.format("%.1f", addSeconds) + " s ("
                    + Math.round(SUBSCRIBERS / addSeconds) + " a second) |\n"
                    + "| one publish to all: until the last delivery is queued, median of " + PUBLISHES + " | "
                    + median[0] + " ms |\n"
                    + "| each, in order (collector pauses within) | " + each + " ms |\n"
                    + "| a subscriber added during that fan-out waited | "
                    + Math.round(addedDuringFanOut.get() / 1e6) + " ms |\n"
                    + "| heartbeats measured (2 rounds) | " + beats + " |\n"
                    + "| heartbeat lateness p50 / p99 / max | " + percentiles[0] + " / " + percentiles[1] + " / "
                    + percentiles[2] + " ms |\n"
                    + "| writer threads | " + Math.max(2, Runtime.getRuntime().availableProcessors()) + " |\n"
                    + "| collector, heap | " + collectors() + ", " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB |\n";
            Path out = Path.of("target", "bench", "hub-core.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
            System.out.println(table);
            assertEquals(SUBSCRIBERS + 1, hub.subscribers().size());
        } finally {
            hub.close();
        }
    }

    private static Hub hub() {
        TemplateTopicMatcher matcher = new TemplateTopicMatcher(10_000);
        JwtKey key = new JwtKey(JwtKey.Algorithm.HS256, "a-key-for-the-hub-core-benchmark-0123456789", null);
        Authorizer authorizer = new Authorizer(new Jwts(key), new Jwts(key), true, matcher);
        SubscriberHost.Limits limits = new SubscriberHost.Limits(HEARTBEAT, Duration.ofSeconds(5), 4 << 20,
                Duration.ofMinutes(30), Duration.ofMinutes(15));
        return new Hub(new Hub.Config(limits, 1000, 16 << 20, false, false, Duration.ZERO, 0, 0, true), authorizer,
                matcher, new HubMetrics(List.of("none")));
    }

    /** Milliseconds every collector has spent so far, as the JVM counts them. */
    private static long collectorMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static String collectors() {
        return String.join(" + ", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList());
    }

    /** Waits until every stream has had {@code updates} updates written (the writers drain behind the fan-out). */
    private static void awaitWritten(List<Lateness> streams, int updates) {
        Poll.until(Duration.ofSeconds(120), updates + " updates written to every stream",
                () -> streams.stream().allMatch(stream -> stream.updates >= updates));
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long[] percentiles(double... ps) {
        long total = 0;
        for (int i = 0; i < LATENESS.length(); i++) {
            total += LATENESS.get(i);
        }
        long[] out = new long[ps.length];
        for (int p = 0; p < ps.length; p++) {
            long want = (long) Math.ceil(ps[p] * total);
            long seen = 0;
            for (int i = 0; i < LATENESS.length(); i++) {
                seen += LATENESS.get(i);
                if (seen >= want && want > 0) {
                    out[p] = i;
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Records how late each heartbeat comes after the previous comment written to one stream, and counts the updates
     * written to it.
     */
    private static final class Lateness implements Consumer<byte[]> {
        private long lastCommentNanos;
        volatile int updates;

        @Override
        public void accept(byte[] bytes) {
            if (bytes.length != 3) {
                if (new String(bytes, StandardCharsets.UTF_8).contains("\ndata:")) {
                    updates++; // one writer at a time per stream
                }
                return; // heartbeats keep their own schedule
            }
            long now = System.nanoTime(); // the opening comment, then one heartbeat each HEARTBEAT
            if (lastCommentNanos != 0) {
                long lateMillis = Math.max(0, (now - lastCommentNanos - HEARTBEAT.toNanos()) / 1_000_000);
                LATENESS.incrementAndGet((int) Math.min(lateMillis, LATENESS.length() - 1));
            }
            lastCommentNanos = now;
        }
    }
}
