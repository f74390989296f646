package io.lifeline.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

class JvmSettingsTest {

    @Test
    void theCollectorIsNamedAsTheJvmsOptionNamesIt() {
        assertEquals("SerialGC", JvmSettings.collector(List.of(gc("Copy"), gc("MarkSweepCompact"))));
        assertEquals("ParallelGC", JvmSettings.collector(List.of(gc("PS Scavenge"), gc("PS MarkSweep"))));
        assertEquals("G1GC", JvmSettings.collector(List.of(gc("G1 Young Generation"), gc("G1 Old Generation"))));
        assertEquals("ZGC", JvmSettings.collector(List.of(gc("ZGC Cycles"))));
        assertEquals("unknown", JvmSettings.collector(List.of()));
    }

    @Test
    void theLineGivesTheHeapAndItsYoungGenerationToSetForTheSubscriberLimit() {
        String line = JvmSettings.describe(18_000);
        assertTrue(line.startsWith("JVM: "), line);
        // 256 MiB + 18,000 x 16 KiB = 537.25 MiB, rounded up to a multiple of 64 MiB
        assertTrue(line.contains("-Xms576m -Xmx576m -XX:NewRatio=7 for 18000 subscribers"), line);
        assertTrue(JvmSettings.describe(0).contains("256 MiB plus 16 KiB per subscriber, -XX:NewRatio=7"));
    }

    @Test
    void theSerialCollectorIsRecommendedOnOneProcessorTheParallelOneOnMore() {
        assertTrue(JvmSettings.describe(18_000, 1).contains("recommended: -XX:+UseSerialGC (one processor) and "));
        assertTrue(JvmSettings.describe(18_000, 2).contains("recommended: -XX:+UseParallelGC (-XX:+UseSerialGC on one "
                + "processor) and "));
        assertTrue(JvmSettings.describe(18_000, 2).contains(", 2 processors;"));
        assertTrue(JvmSettings.describe(18_000, 1).contains(", 1 processor;"));
    }

    private static GarbageCollectorMXBean gc(String name) {
        return (GarbageCollectorMXBean) Proxy.newProxyInstance(JvmSettingsTest.class.getClassLoader(),
                new Class<?>[] {GarbageCollectorMXBean.class},
                (proxy, method, args) -> method.getName().equals("getName") ? name : null);
    }
}
