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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The live page in a real headless Chromium while the hub holds thousands of subscribers and churns through them:
 * 4,000 connected, then for 20 s about 1,000 departures and 1,000 arrivals a second. It measures the page's long tasks
 * (the main thread busy for more than 50 ms, when a click would wait) and how far the page's counters trail the hub's
 * once the churn stops. The goal: no task of the page's longer than 200 ms, and counters caught up within 1 s.
 *
 * <p>Not part of {@code mvn verify}: run it with
 * {@code mvn -B test -Dtest=LivePageBench -Dsurefire.failIfNoSpecifiedTests=false}; it writes its table to
 * {@code target/bench/live-page.md}. It needs a hard open-files limit of about 10,000 (client and server sockets
 * live in one JVM) and Chromium, and takes about a minute.</p>
 */
class LivePageBench {

    private static final int HELD = 4000;
    private static final int CHURN_PER_STEP = 100;
    private static final Duration STEP = Duration.ofMillis(100);
    private static final Duration CHURN = Duration.ofSeconds(20);

    @TempDir
    Path profile;

    @Test
    void theLivePageStaysResponsiveUnderThousandsOfSubscribersAndTheirChurn() throws Exception {
        Assumptions.assumeTrue(Chromium.missing() == null, Chromium.missing());
        ChromeDriver browser = Chromium.start(profile);
        Deque<RawSseClient> clients = new ArrayDeque<>();
        try (TestServer server = TestServer.startInDevelopmentMode(Map.of())) {
            browser.get("http://127.0.0.1:" + server.port() + "/");
            JavascriptExecutor js = browser;
            js.executeScript("window.longTasks = []; new PerformanceObserver((list) => list.getEntries()"
                    + ".forEach((e) => window.longTasks.push(e.duration))).observe({type: 'longtask', buffered: true});");
            Poll.until(Duration.ofSeconds(10), "the live view is connected",
                    () -> browser.findElement(By.id("live-status")).getText().contains("connected"));

            for (int i = 0; i < HELD; i++) {
                clients.addLast(open(server, i));
            }
            Poll.until(Duration.ofSeconds(30), "every subscriber connected",
                    () -> server.hub().subscribers().size() == HELD);
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
            List<Number> longTasks = (List<Number>) js.executeScript("return window.longTasks");
            double longest = longTasks.stream().mapToDouble(Number::doubleValue).max().orElse(0);
            double busy = longTasks.stream().mapToDouble(Number::doubleValue).sum();
            int rows = browser.findElements(By.cssSelector("#departures tr")).size();
            int listed = browser.findElements(By.cssSelector("#subscribers tr")).size();
            String table = "| measure | value |\n|---|---|\n"
                    + "| subscribers held | " + HELD + " |\n"
                    + "| departures and arrivals during the churn | " + churned + " each, over " + CHURN.toSeconds()
                    + " s |\n"
                    + "| the page's long tasks (> 50 ms) | " + longTasks.size() + ", longest " + Math.round(longest)
                    + " ms, " + Math.round(busy) + " ms in all |\n"
                    + "| the page's counters caught up after the churn stopped | " + Math.round(caughtUpMillis)
                    + " ms |\n"
                    + "| rows on the page | " + rows + " departures, " + listed + " connected |\n";
            Path out = Path.of("target", "bench", "live-page.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
            System.out.println(table);
            assertTrue(longest <= 200, "the page froze for " + longest + " ms");
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
