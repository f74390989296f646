package io.lifeline.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Chromium;
import io.lifeline.testing.Deadline;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The hub as browsers use it, in a real headless Chromium: the hub's own page, a closed tab, EventSource across
 * origins with the cookie, and the CSRF rule for publishing with it.
 */
class BrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PAGE = """
            <!doctype html><html><head><meta charset="utf-8"><title>page</title></head><body><script>
            window.received = []; window.errors = 0; window.publishStatus = null;
            window.subscribe = (url) => {
              const source = new EventSource(url, {withCredentials: true});
              source.onmessage = (e) => window.received.push(e.lastEventId + ' ' + e.data);
              source.onerror = () => window.errors++;
            };
            window.publish = (url, body) => fetch(url, {method: 'POST', credentials: 'include',
                headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body})
              .then((r) => { window.publishStatus = r.status; }, (e) => { window.publishStatus = 'failed'; });
            </script></body></html>""";

    @TempDir
    Path profile;

    private TestServer hub;
    private HttpServer allowedSite;
    private HttpServer otherSite;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws IOException {
        Chromium.assumeAvailable("BrowserTest");
        allowedSite = site();
        otherSite = site();
        String allowed = "http://127.0.0.1:" + allowedSite.getAddress().getPort();
        hub = TestServer.start(Map.of(Setting.CORS_ORIGINS, allowed, Setting.ANONYMOUS, "true"));
        browser = Chromium.start(profile);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            hub.close();
        }
        for (HttpServer site : new HttpServer[] {allowedSite, otherSite}) {
            if (site != null) {
                site.stop(0);
            }
        }
    }

    @Test
    void theHubsPageSubscribesAndPublishesAndClosingItsTabEndsTheSubscriberWithinOneSecond() {
        browser.get(hubUrl("/"));
        String topic = "https://example.com/books/" + UUID.randomUUID();
        browser.findElement(By.id("sub-topic")).clear();
        browser.findElement(By.id("sub-topic")).sendKeys(topic);
        browser.findElement(By.id("subscribe")).click();
        Subscriber subscriber = hub.awaitSubscriber(topic);

        browser.findElement(By.id("token")).sendKeys(hub.publisherToken());
        browser.findElement(By.id("pub-topic")).clear();
        browser.findElement(By.id("pub-topic")).sendKeys(topic);
        browser.findElement(By.id("data")).clear();
        browser.findElement(By.id("data")).sendKeys("hello from a browser");
        browser.findElement(By.id("publish")).click();
        Poll.until(WAIT, "the page shows the update",
                () -> browser.findElement(By.id("events")).getText().contains("hello from a browser"));

        String page = browser.getWindowHandle();
        browser.switchTo().newWindow(WindowType.TAB);
        String other = browser.getWindowHandle();
        browser.switchTo().window(page);
        long closed = System.nanoTime();
        browser.close();
        browser.switchTo().window(other);
        Deadline deadline = Deadline.after(closed, Duration.ofSeconds(1));
        Poll.until(deadline.left(), "closing the tab ends its subscriber", subscriber::isEnded);
        assertEquals(EndReason.CLIENT_CLOSED, subscriber.endReason());
        Poll.until(deadline.left(), "and releases it", () -> hub.hub().subscriber(subscriber.id()).isEmpty());
    }

    @Test
    void aPageOfAnAllowedOriginReceivesPrivateUpdatesWithTheHubsCookie() {
        String topic = "https://example.com/private/" + UUID.randomUUID();
        setHubCookie(Tokens.subscriber(TestServer.KEY, topic));
        browser.get(siteUrl(allowedSite));
        script("window.subscribe(arguments[0])", hubUrl("/.well-known/mercure?topic=" + topic));
        Subscriber subscriber = hub.awaitSubscriber(topic);
        assertTrue(subscriber.claims() != null, "the cookie's token authorized the subscriber");
        publish(topic, "secret", true);
        Poll.until(WAIT, "the page receives the private update",
                () -> received().contains("secret secret"));
    }

    @Test
    void aPageOfAnotherOriginCanNeitherReadTheHubNorPublishWithTheCookie() throws IOException {
        String topic = "https://example.com/csrf/" + UUID.randomUUID();
        setHubCookie(Tokens.token(TestServer.KEY, List.of("*"), List.of("*"), null));
        try (RawSseClient witness = RawSseClient.open(hub.port(), "/.well-known/mercure?topic=" + topic)) {
            witness.awaitBody(":\n\n", WAIT);

            browser.get(siteUrl(otherSite));
            script("window.subscribe(arguments[0])", hubUrl("/.well-known/mercure?topic=" + topic));
            Poll.until(WAIT, "the browser refuses the stream (no CORS for this origin)",
                    () -> ((Number) script("return window.errors")).intValue() > 0);
            script("window.publish(arguments[0], 'topic=" + topic + "&id=forged&data=x')",
                    hubUrl("/.well-known/mercure"));
            Poll.until(WAIT, "the cross-site publish completes", () -> script("return window.publishStatus") != null);

            browser.get(siteUrl(allowedSite));
            script("window.publish(arguments[0], 'topic=" + topic + "&id=allowed&data=x')",
                    hubUrl("/.well-known/mercure"));
            Poll.until(WAIT, "the allowed site's publish is answered",
                    () -> Long.valueOf(200).equals(script("return window.publishStatus")));
            witness.awaitBody("id: allowed\n", WAIT);
            assertTrue(!witness.body().contains("forged"), "another site published with the hub's cookie");
        }
    }

    private void setHubCookie(String token) {
        browser.get(hubUrl("/"));
        browser.manage().addCookie(new Cookie.Builder("mercureAuthorization", token).path("/").isHttpOnly(true)
                .sameSite("Lax").build());
    }

    private void publish(String topic, String id, boolean privately) {
        try (io.lifeline.testing.Http http = new io.lifeline.testing.Http()) {
            assertEquals(200, privately
                    ? http.publish(hub.uri("/.well-known/mercure"), hub.publisherToken(), "topic", topic, "id", id,
                            "data", id, "private", "on").status()
                    : http.publish(hub.uri("/.well-known/mercure"), hub.publisherToken(), "topic", topic, "id", id,
                            "data", id).status());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private List<String> received() {
        return (List<String>) script("return window.received");
    }

    private Object script(String js, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(js, args);
    }

    private String hubUrl(String path) {
        return "http://127.0.0.1:" + hub.port() + path;
    }

    private static String siteUrl(HttpServer site) {
        return "http://127.0.0.1:" + site.getAddress().getPort() + "/";
    }

    /** A page of another origin: same host, another port. */
    private static HttpServer site() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}
