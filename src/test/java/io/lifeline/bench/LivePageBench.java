package io.lifeline.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Chromium;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The live page in a real headless Chromium while the hub holds thousands of subscribers and churns through them:
 * 4,000 connected, then for 20 s about 1,000 departures and 1,000 arrivals a second. It measures the page's long
 * animation frames (the main thread held a frame for more than 50 ms, when a click would wait), how much of each was
 * the page's own scripts, and how far the page's counters trail the hub's once the churn stops. On 2 cores the load
 * generator and the hub leave Chromium little CPU, so frames stretch; the goal is about the page's own work: its
 * scripts never hold a frame for more than 100 ms, and its counters catch up within 1 s.
 *
 * <p>Not part of {@code mvn verify}: run it with
 * {@code mvn -B test -Dtest=LivePageBench -Dsurefire.failIfNoSpecifiedTests=false}; it writes its table to
 * {@code target/bench/live-page.md}. It needs a hard open-files limit of about 10,000 (client and server sockets
 * live in one JVM) and Chromium, and takes about a minute.</p>
 */
class LivePageBench {

    private static final int HELD = 4000;
    /** Departures (and as many arrivals) each {@link #STEP}: {@code -Dlifeline.bench.churn=N} a second, 200 by default. */
    private static final int CHURN_PER_STEP = Integer.getInteger("lifeline.bench.churn", 200) / 10;
    private static final Duration STEP = Duration.ofMillis(100);
    private static final Duration CHURN = Duration.ofSeconds(20);

    @TempDir
    Path profile;

    @Test
    void theLivePageStaysResponsiveUnderThousandsOfSubscribersAndTheirChurn() throws Exception {
        Chromium.assumeAvailable("LivePageBench");
        ChromeDriver browser = Chromium.start(profile);
        Deque<RawSseClient> clients = new ArrayDeque<>();
        try (TestServer server = TestServer.startInDevelopmentMode(Map.of())) {
            browser.get("http://127.0.0.1:" + server.port() + "/");
            JavascriptExecutor js = browser;
            // Long animation frames: how long the main thread held a frame, and how much of it was the page's scripts
            // (the rest is style, layout, paint, or waiting for a CPU the load generator and the hub keep busy).
            js.executeScript("window.frames_ = []; new PerformanceObserver((list) => list.getEntries().forEach((e) =>"
                    + " window.frames_.push([e.duration, e.scripts.reduce((a, s) => a + s.duration, 0),"
                    + " e.renderStart ? e.startTime + e.duration - e.renderStart : 0])))"
                    + ".observe({type: 'long-animation-frame', buffered: true});");
            Poll.until(Duration.ofSeconds(10), "the live view is connected",
                    () -> browser.findElement(By.id("live-status")).getText().contains("connected"));

            for (int i = 0; i < HELD; i++) {
                clients.addLast(open(server, i));
            }
            Poll.until(Duration.ofSeconds(30), "every subscriber connected",
                    () -> server.hub().subscribers().size() == HELD);
            Thread.sleep(2000); // lets the page settle after the connections; then only the churn is measured
            js.executeScript("window.frames_.length = 0");
            long churned = 0;
            long end = System.nanoTime() + CHURN.toNanos();
            int next = HELD;
            while (System.nanoTime() < end) {
                long stepEnd = System.nanoTime() + STEP.toNanos();
                for (int i = 0; i < CHURN_PER_STEP; i++) {
                    clients.removeFirst().reset();
                    clients.addLast(open(server, next++));
                    churned++;
                }
                long left = stepEnd - System.nanoTime();
                if (left > 0) {
                    Thread.sleep(left / 1_000_000); // paces the load loop; nothing waits on it
                }
            }
            long churnStopped = System.nanoTime();
            long hubEnded = server.hub().metrics().endedTotal();
            Poll.until(Duration.ofSeconds(10), "the page's counter reaches the hub's",
                    () -> Long.parseLong(browser.findElement(By.id("ended")).getText()) >= hubEnded);
            double caughtUpMillis = (System.nanoTime() - churnStopped) / 1e6;

            @SuppressWarnings("unchecked")
            List<List<Number>> frames = (List<List<Number>>) js.executeScript("return window.frames_");
            double longest = frames.stream().mapToDouble(f -> f.get(0).doubleValue()).max().orElse(0);
            double longestScripts = frames.stream().mapToDouble(f -> f.get(1).doubleValue()).max().orElse(0);
            double longestRender = frames.stream().mapToDouble(f -> f.get(2).doubleValue()).max().orElse(0);
            double scripts = frames.stream().mapToDouble(f -> f.get(1).doubleValue()).sum();
            int rows = browser.findElements(By.cssSelector("#departures .row")).size();
            int listed = browser.findElements(By.cssSelector("#subscribers .row")).size();
            String table = "| measure | value |\n|---|---|\n"
                    + "| subscribers held | " + HELD + " |\n"
                    + "| departures and arrivals during the churn | " + churned + " each, over " + CHURN.toSeconds()
                    + " s |\n"
                    + "| the page's long frames (> 50 ms) | " + frames.size() + ", longest " + Math.round(longest)
                    + " ms |\n"
                    + "| the page's own scripts in one long frame, at most | " + Math.round(longestScripts) + " ms ("
                    + Math.round(scripts) + " ms in all long frames) |\n"
                    + "| style, layout and paint in one long frame, at most | " + Math.round(longestRender) + " ms |\n"
                    + "| the page's counters caught up after the churn stopped | " + Math.round(caughtUpMillis)
                    + " ms |\n"
                    + "| rows on the page | " + rows + " departures, " + listed + " connected |\n";
            Path out = Path.of("target", "bench", "live-page.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
            System.out.println(table);
            assertTrue(longestScripts <= 100, "the page's scripts held a frame for " + longestScripts + " ms");
            assertTrue(caughtUpMillis <= 1000, "the page's counters trailed by " + caughtUpMillis + " ms");
        } finally {
            browser.quit();
            List<RawSseClient> left = new ArrayList<>(clients);
            for (RawSseClient client : left) {
                client.close();
            }
        }
    }

    private static RawSseClient open(TestServer server, int n) throws IOException {
        return RawSseClient.open(server.port(), "/.well-known/mercure?topic=https://example.com/churn/" + n);
    }
}
