package io.lifeline.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Chromium;
import io.lifeline.testing.Deadline;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The live page at {@code /} in a real headless Chromium: a closed tab's departure, the F5 button, and a hub outside
 * development mode asking for a token. The second test leaves a screenshot of the page in
 * {@code target/screenshots/live-view.png}, the one the README shows.
 */
class LivePageBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    static final Path SCREENSHOT = Path.of("target", "screenshots", "live-view.png");

    @TempDir
    Path profile;

    private TestServer hub;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws IOException {
        Chromium.assumeAvailable("LivePageBrowserTest");
        browser = Chromium.start(profile);
        browser.manage().window().setSize(new Dimension(1200, 1500));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theLivePageShowsAClosedTabsDepartureWithItsReasonWithinOneSecond() {
        hub = TestServer.startInDevelopmentMode(Map.of());
        browser.get(url("/"));
        awaitText("live-status", "connected");
        String watching = browser.getWindowHandle();

        browser.switchTo().newWindow(WindowType.TAB);
        String subscribing = browser.getWindowHandle();
        browser.get(url("/"));
        String topic = "https://example.com/tab/" + UUID.randomUUID();
        browser.findElement(By.id("sub-topic")).clear();
        browser.findElement(By.id("sub-topic")).sendKeys(topic);
        browser.findElement(By.id("subscribe")).click();
        Subscriber subscriber = hub.awaitSubscriber(topic);
        browser.switchTo().window(watching);
        Poll.until(WAIT, "the page lists the other tab's subscriber",
                () -> row("subscribers", subscriber.id()) != null);

        browser.switchTo().window(subscribing);
        long closed = System.nanoTime();
        browser.close();
        browser.switchTo().window(watching);
        Deadline deadline = Deadline.after(closed, Duration.ofSeconds(1));
        Poll.until(deadline.left(), "the departure shows on the live page within 1 s",
                () -> row("departures", subscriber.id()) != null);
        assertEquals("client-closed", cells(row("departures", subscriber.id())).get(1));
        assertEquals(null, row("subscribers", subscriber.id()), "it is no longer listed as connected");
    }

    @Test
    void theF5ButtonShowsTheRelaysFinNoticedClientClosed() throws IOException {
        hub = TestServer.startInDevelopmentMode(Map.of());
        List<RawSseClient> others = new ArrayList<>();
        try {
            for (String book : List.of("1", "2", "3", "4")) {
                others.add(RawSseClient.open(hub.port(), "/.well-known/mercure?topic=https://example.com/books/"
                        + book));
            }
            browser.get(url("/"));
            awaitText("live-status", "connected");
            others.get(0).fin(); // a tab closed
            others.get(1).reset(); // a client reset
            browser.findElement(By.id("demonstration")).click();
            awaitText("demonstration-result", "NOTICED: the hub ended it client-closed");
            Poll.until(WAIT, "the demonstration's departure is listed", () -> browser
                    .findElements(By.cssSelector("#departures .row")).stream()
                    .anyMatch(row -> row.getText().contains("urn:lifeline:demonstration:f5")
                            && row.getText().contains("client-closed")));
            Poll.until(WAIT, "the counters show each reason", () -> {
                String reasons = browser.findElement(By.id("reasons")).getText();
                return reasons.contains("client-closed 2") && reasons.contains("client-reset 1");
            });
            Files.createDirectories(SCREENSHOT.getParent());
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            for (RawSseClient client : others) {
                client.close();
            }
        }
    }

    @Test
    void outsideDevelopmentModeThePageAsksForATokenAndSaysWhyASubscribeWasRefused() {
        hub = TestServer.start(Map.of(Setting.ANONYMOUS, "false"));
        browser.get(url("/"));
        awaitText("live-status", "401");
        WebElement login = browser.findElement(By.id("admin-login"));
        Poll.until(WAIT, "the page asks for a token", login::isDisplayed);
        browser.findElement(By.id("admin-token")).sendKeys(Tokens.admin(TestServer.KEY));
        browser.findElement(By.id("admin-connect")).click();
        awaitText("live-status", "connected");

        browser.findElement(By.id("subscribe")).click();
        awaitText("events", "refused: 401: subscribing needs a token");

        String topic = "https://example.com/books/" + UUID.randomUUID();
        browser.findElement(By.id("sub-topic")).clear();
        browser.findElement(By.id("sub-topic")).sendKeys(topic);
        browser.findElement(By.id("sub-token")).sendKeys(Tokens.subscriber(TestServer.KEY, topic));
        browser.findElement(By.id("subscribe")).click();
        assertTrue(hub.awaitSubscriber(topic).claims() != null, "the page's token authorized the subscriber");
    }

    private void awaitText(String id, String text) {
        Poll.until(WAIT, "#" + id + " shows \"" + text + "\"",
                () -> browser.findElement(By.id(id)).getText().contains(text));
    }

    private WebElement row(String table, String subscriberId) {
        List<WebElement> rows = browser.findElements(By.cssSelector("#" + table + " .row[data-subscriber='"
                + subscriberId + "']"));
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static List<String> cells(WebElement row) {
        return row.findElements(By.cssSelector(":scope > div")).stream().map(WebElement::getText).toList();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + hub.port() + path;
    }
}
