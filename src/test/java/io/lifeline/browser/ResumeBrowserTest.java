package io.lifeline.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Chromium;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Resuming as a real browser does it, in headless Chromium: its EventSource keeps the id of an id-only block without
 * firing an event and sends it back as {@code Last-Event-ID}; it comes back by itself from a hub that drains, from
 * the temporary refusals of a hub that is stopping, and from a hub restarted on the same port, missing nothing.
 */
class ResumeBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PAGE = """
            <!doctype html><html><head><meta charset="utf-8"><title>page</title></head><body><script>
            window.received = []; window.opens = 0; window.errors = 0; window.source = null;
            window.subscribe = (url) => {
              window.source = new EventSource(url);
              window.source.onopen = () => window.opens++;
              window.source.onmessage = (e) => window.received.push(e.lastEventId + ' ' + e.data);
              window.source.onerror = () => window.errors++;
            };
            </script></body></html>""";

    @TempDir
    Path profile;

    private HttpServer site;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws IOException {
        Chromium.assumeAvailable("ResumeBrowserTest");
        site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        site.createContext("/", exchange -> {
            byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        site.start();
        browser = Chromium.start(profile);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (site != null) {
            site.stop(0);
        }
    }

    @Test
    void chromiumKeepsTheIdOfAnIdOnlyBlockWithoutAnEventAndResumesFromItAfterTheHubEndsTheStream()
            throws IOException {
        String topic = "https://example.com/browser/cursor/" + UUID.randomUUID();
        try (TestServer hub = TestServer.start(Map.of(Setting.CORS_ORIGINS, origin(),
                Setting.MAX_LIFETIME, "2s"))) {
            browser.get(origin() + "/");
            script("window.subscribe(arguments[0])", hubUrl(hub.port(), topic));
            Subscriber first = hub.awaitSubscriber(topic);
            Poll.until(Duration.ofSeconds(4), "the maximum lifetime ends the first stream", first::isEnded);
            assertEquals(EndReason.MAX_LIFETIME, first.endReason());
            assertEquals(List.of(), received(), "the id-only blocks fired no event");

            // The hub told the browser to wait at least 500 ms: this update falls in the gap.
            assertTrue(hub.hub().subscribers().isEmpty(), "the browser came back before the gap");
            Instant publishedAt = Instant.now();
            publish(hub, topic, "in-the-gap");
            Poll.until(WAIT, "the browser gets the update published while it was away",
                    () -> received().contains("in-the-gap in-the-gap"));
            Subscriber second = hub.awaitSubscriber(topic);
            assertTrue(second.startedAt().isAfter(publishedAt),
                    "the update came by replay, which only the id the browser kept can ask for");
            assertEquals(List.of("in-the-gap in-the-gap"), received());
        }
    }

    @Test
    void chromiumAcrossADrainAndARestartOnTheSamePortComesBackByItselfMissingNothing() throws Exception {
        String topic = "https://example.com/browser/restart/" + UUID.randomUUID();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Map<Setting, String> settings = Map.of(Setting.PORT, Integer.toString(port), Setting.CORS_ORIGINS, origin(),
                Setting.DRAIN, "3s");
        TestServer first = TestServer.start(settings);
        browser.get(origin() + "/");
        script("window.subscribe(arguments[0])", hubUrl(port, topic));
        first.awaitSubscriber(topic);
        publish(first, topic, "before-the-restart");
        Poll.until(WAIT, "the first update", () -> received().contains("before-the-restart before-the-restart"));

        // The hub drains and stays up, stopping: each time the browser comes back it is sent away again, told
        // where to resume and when to return (a 200 stream, which EventSource does not give up on).
        Thread draining = new Thread(first.hub()::shutdown, "draining the first hub");
        draining.start();
        Poll.until(Duration.ofSeconds(20), "the browser is sent away, comes back, and is refused twice",
                () -> ((Number) script("return window.opens")).intValue() >= 3);
        draining.join(30_000);
        first.close();

        try (TestServer second = TestServer.start(settings)) {
            publish(second, topic, "after-the-restart");
            Poll.until(Duration.ofSeconds(20), "the browser comes back by itself and gets the update",
                    () -> received().contains("after-the-restart after-the-restart"));
            assertEquals(List.of("before-the-restart before-the-restart", "after-the-restart after-the-restart"),
                    received(), "every update once, in order, and no event from the refusals");
            assertTrue(((Number) script("return window.source.readyState")).intValue() != 2,
                    "the EventSource never gave up");
        }
    }

    private static void publish(TestServer hub, String topic, String id) throws IOException {
        try (Http http = new Http()) {
            assertEquals(200, http.publish(hub.uri("/.well-known/mercure"), hub.publisherToken(), "topic", topic,
                    "id", id, "data", id).status());
        }
    }

    @SuppressWarnings("unchecked")
    private List<String> received() {
        return (List<String>) script("return window.received");
    }

    private Object script(String js, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(js, args);
    }

    private String origin() {
        return "http://127.0.0.1:" + site.getAddress().getPort();
    }

    private static String hubUrl(int port, String topic) {
        return "http://127.0.0.1:" + port + "/.well-known/mercure?topic=" + URLEncoder.encode(topic,
                StandardCharsets.UTF_8);
    }
}
