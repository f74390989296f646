package io.lifeline.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * The JVM settings the embedded program runs with, and the ones it recommends, for one start-up line.
 *
 * <p>Measured with 19,500 idle subscribers and heartbeats every 5 s, the program pinned to one core: the serial
 * collector used 15.9 % of that core, the parallel one 16.2 %, G1 22.9 % (each with a fixed 512 MiB heap). An idle
 * subscriber holds about 8 KiB of heap. With more than one processor the parallel collector: the hub's core at
 * 1,000,000 subscribers on 2 processors queued one publish to all in 0.7-0.8 s with it, 1.3-1.5 s with the serial
 * one, no collection falling inside either ({@code HubCoreBench}). Hence the advice: the serial collector on one
 * processor, the parallel one on more, and a fixed heap of 256 MiB plus 16 KiB (twice the measured need) per
 * subscriber expected.</p>
 */
final class JvmSettings {

    /** Heap to give per expected subscriber, in bytes: twice the measured 8 KiB. */
    static final long HEAP_PER_SUBSCRIBER = 16 * 1024;
    /** Heap to give besides the subscribers', in bytes. */
    static final long HEAP_BASE = 256L * 1024 * 1024;
    /** The young generation's share of the heap, as the JVM option sets it: one part young to seven old. */
    static final String NEW_RATIO = "-XX:NewRatio=7";

    private JvmSettings() {
    }

    /** The collector in use, by the names the JVM's own options give them: {@code SerialGC}, {@code G1GC}... */
    static String collector(List<GarbageCollectorMXBean> collectors) {
        for (GarbageCollectorMXBean gc : collectors) {
            String name = gc.getName();
            if (name.equals("Copy") || name.equals("MarkSweepCompact")) {
                return "SerialGC";
            }
            if (name.startsWith("PS ")) {
                return "ParallelGC";
            }
            if (name.startsWith("G1 ")) {
                return "G1GC";
            }
            if (name.startsWith("ZGC")) {
                return "ZGC";
            }
            if (name.startsWith("Shenandoah")) {
                return "ShenandoahGC";
            }
        }
        return collectors.isEmpty() ? "unknown" : collectors.get(0).getName();
    }

    /**
     * One line: the collector, the heap and the processors in use, and the advice for {@code maxSubscribers}
     * subscribers (0: no limit is set, so the advice is given per subscriber).
     */
    static String describe(int maxSubscribers) {
        return describe(maxSubscribers, Runtime.getRuntime().availableProcessors());
    }

    /** As {@link #describe(int)}, for a JVM with {@code processors} processors available. */
    static String describe(int maxSubscribers, int processors) {
        String collector = collector(ManagementFactory.getGarbageCollectorMXBeans());
        long maxHeap = maxHeap();
        String advice = maxSubscribers > 0
                ? "-Xms" + mebibytes(HEAP_BASE + HEAP_PER_SUBSCRIBER * maxSubscribers) + "m -Xmx"
                + mebibytes(HEAP_BASE + HEAP_PER_SUBSCRIBER * maxSubscribers) + "m " + NEW_RATIO + " for "
                + maxSubscribers + " subscribers"
                : "a fixed heap of 256 MiB plus 16 KiB per subscriber, " + NEW_RATIO;
        String recommended = processors > 1
                ? "-XX:+UseParallelGC (-XX:+UseSerialGC on one processor)"
                : "-XX:+UseSerialGC (one processor)";
        return String.format(Locale.ROOT, "JVM: %s, max heap %d MiB, %d processor%s; recommended: %s and %s (G1 "
                + "spent about 40%% more CPU on idle subscribers)%s", collector, maxHeap >> 20, processors,
                processors == 1 ? "" : "s", recommended, advice, newerJvm(Runtime.version().feature()));
    }

    /**
     * What a JVM of release 25 or later adds, where this one is such: an ahead-of-time cache trained by the
     * {@code train} command (a freshly started node then meets its first clients with classes loaded and linked and
     * methods profiled), and compact object headers (less heap per subscriber). The program runs the same without
     * them, on 17 too.
     */
    static String newerJvm(int release) {
        if (release < 25) {
            return "";
        }
        return "; on this JVM also -XX:AOTCache=lifeline.aot, a cache made once with -XX:AOTCacheOutput=lifeline.aot "
                + "-jar lifeline-server.jar train (a fresh node meets its first clients with its classes loaded and "
                + "its methods profiled), and -XX:+UseCompactObjectHeaders (less heap per subscriber; the cache must be made with the "
                + "same flags)";
    }

    /**
     * The heap the JVM was given ({@code -Xmx}, the {@code MaxHeapSize} flag), not {@link Runtime#maxMemory()}, which
     * leaves out a survivor space and so reads less than what was asked for.
     */
    private static long maxHeap() {
        try {
            return Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxHeapSize").getValue());
        } catch (RuntimeException notHotSpot) {
            return Runtime.getRuntime().maxMemory();
        }
    }

    /** Whole mebibytes, rounded up to a multiple of 64. */
    private static long mebibytes(long bytes) {
        long mebibytes = (bytes + (1 << 20) - 1) >> 20;
        return (mebibytes + 63) / 64 * 64;
    }
}
