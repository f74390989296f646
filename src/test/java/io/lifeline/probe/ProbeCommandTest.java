package io.lifeline.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeline.config.Setting;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tls;
import io.lifeline.testing.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lifeline probe URL} against real servers: Lifeline with and without its departure watch, an async servlet
 * without one, a server that closes on a FIN, and endpoints that are no event stream.
 */
class ProbeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void lifelineWithItsWatchNoticesEveryDepartureWithinMilliseconds() throws Exception {
        try (TestServer hub = TestServer.start(Map.of(Setting.HEARTBEAT, "1s"))) {
            Run run = probe(hub.uri("/.well-known/mercure?topic=probe-test").toString(), "--window", "5s",
                    "--token", token(), "--json");

            assertEquals(ProbeCommand.EXIT_ALL_NOTICED, run.status, run.out + run.err);
            for (String departure : List.of("fin", "rst", "close", "rst-stream")) {
                JsonNode check = run.check(departure);
                assertEquals("noticed", check.path("result").asText(), check.toString());
                assertTrue(check.path("after_ms").asLong() < 1000, check.toString());
            }
            assertEquals(0, run.check("fin").path("bytes_after").asLong(), "nothing written after the FIN");
            assertEquals("info", run.check("stall").path("result").asText());
            assertTrue(run.check("stall").path("ended").asBoolean(), run.check("stall").toString());
            assertEquals("ok", run.check("last-event-id").path("result").asText(), run.out);
            assertEquals("ok", run.check("heartbeat").path("result").asText(), run.out);
            assertEquals("ok", run.check("cache-control").path("result").asText());
            assertTrue(run.check("http2").path("h2c").asBoolean(), run.out);
        }
    }

    @Test
    void lifelineWithoutAWatchIsReportedLeakingBehindAFullProxyAndTheTableSaysWhy() throws Exception {
        try (TestServer hub = TestServer.start(Map.of(Setting.WATCH, "none", Setting.HEARTBEAT, "1s"))) {
            Run run = probe(hub.uri("/.well-known/mercure?topic=probe-test").toString(), "--window", "3s",
                    "--token", token(), "--no-stall");

            assertEquals(ProbeCommand.EXIT_LEAKS, run.status, run.out + run.err);
            assertTrue(run.out.matches("(?s).*FIN, reading on +LEAKS +never ended the stream in 3 s; wrote "
                    + "[1-9]\\d* heartbeats?, 0 events \\(\\d+ bytes?\\) after the FIN.*"), run.out);
            assertTrue(run.out.contains("FIN, reading on: A full-proxy load balancer"), run.out);
            assertTrue(run.out.contains("RST  ") && run.out.matches("(?s).*RST +noticed.*"),
                    "a heartbeat's failed write tells of an RST: " + run.out);
            assertTrue(run.out.contains("departures went unnoticed for 3 s"), run.out);
        }
    }

    @Test
    void aHubWithoutHttp2LeavesTheRstStreamUnplayedAndJudgesTheRest() throws Exception {
        try (TestServer hub = TestServer.start(Map.of(Setting.HTTP2, "false", Setting.HEARTBEAT, "1s"))) {
            Run run = probe(hub.uri("/.well-known/mercure?topic=probe-test").toString(), "--window", "3s",
                    "--token", token(), "--no-stall", "--json");

            assertEquals(ProbeCommand.EXIT_ALL_NOTICED, run.status, run.out + run.err);
            assertEquals("not-run", run.check("rst-stream").path("result").asText(), run.out);
            assertEquals("the server speaks no h2c with prior knowledge",
                    run.check("rst-stream").path("detail").asText());
            assertEquals(false, run.check("http2").path("h2c").asBoolean(true));
            assertEquals("not-run", run.check("stall").path("result").asText());
        }
    }

    @Test
    void aTokenTheHubRefusesItsListCannotJudgeTheHubsDeparturesAndExitsTwo() throws Exception {
        try (TestServer hub = TestServer.start(Map.of(Setting.HEARTBEAT, "1s"))) {
            Run run = probe(hub.uri("/.well-known/mercure?topic=probe-test").toString(), "--window=3s",
                    "--token", Tokens.publisher(TestServer.KEY, "*"), "--json");

            assertEquals(ProbeCommand.EXIT_ERROR, run.status, run.out + run.err);
            assertEquals("noticed", run.check("fin").path("result").asText(), run.out);
            JsonNode rst = run.check("rst");
            assertEquals("error", rst.path("result").asText(), rst.toString());
            String detail = rst.path("detail").asText();
            assertTrue(detail.startsWith("the subscriptions API answered 403")
                    && detail.endsWith("(the token must read the subscriptions API)"), rst.toString());
        }
    }

    @Test
    void aUrlWhoseSchemeDoesNotMatchThePortSaysWhichToTry(@TempDir Path dir) throws Exception {
        try (TestServer plain = TestServer.start(Map.of())) {
            Run run = probe(plain.uri("/.well-known/mercure?topic=x").toString().replace("http:", "https:"),
                    "--window", "2s");
            assertEquals(ProbeCommand.EXIT_ERROR, run.status);
            assertTrue(run.err.contains("the server speaks no TLS on this port: try http://"), run.err);
        }
        Path keystore = Tls.keystore(dir);
        try (TestServer tls = TestServer.start(Map.of(Setting.TLS_KEYSTORE, keystore.toString(),
                Setting.TLS_KEYSTORE_PASSWORD, Tls.PASSWORD))) {
            Run run = probe(tls.uri("/.well-known/mercure?topic=x").toString().replace("https:", "http:"),
                    "--window", "2s");
            assertEquals(ProbeCommand.EXIT_ERROR, run.status);
            assertTrue(run.err.contains("try https://"), run.err);
        }
    }

    @Test
    void anAsyncServletWithoutAWatchIsReportedLeaking() throws Exception {
        try (YardstickServers.UnwatchedServlet server = new YardstickServers.UnwatchedServlet()) {
            Run run = probe("http://127.0.0.1:" + server.port() + "/events", "--window", "2s", "--json");

            assertEquals(ProbeCommand.EXIT_LEAKS, run.status, run.out + run.err);
            JsonNode fin = run.check("fin");
            assertEquals("leaks", fin.path("result").asText(), fin.toString());
            assertEquals(0, fin.path("bytes_after").asLong(), "it wrote nothing, so no write could fail");
            assertEquals("not-run", run.check("rst").path("result").asText(), "no hub, no list to watch");
            assertEquals("info", run.check("heartbeat").path("result").asText(), "2 s cannot show a 60 s silence");
            assertEquals("not-run", run.check("last-event-id").path("result").asText(), "no event carried an id");
        }
    }

    @Test
    void aServerThatClosesOnAFinIsReportedNoticing() throws Exception {
        try (YardstickServers.ClosingOnFin server = new YardstickServers.ClosingOnFin()) {
            Run run = probe("http://127.0.0.1:" + server.port() + "/", "--window", "2s", "--json");

            assertEquals(ProbeCommand.EXIT_ALL_NOTICED, run.status, run.out + run.err);
            assertEquals("noticed", run.check("fin").path("result").asText());
            assertEquals("closed", run.check("fin").path("server_end").asText());
            assertEquals(false, run.check("http2").path("h2c").asBoolean(true), run.out);
            assertEquals("info", run.check("x-accel-buffering").path("result").asText(), "absent");
        }
    }

    @Test
    void aServerThatEndsEveryStreamAtOnceCannotBeJudgedAndExitsTwo() throws Exception {
        try (YardstickServers.ClosingOnFin server = YardstickServers.ClosingOnFin.atOnce()) {
            Run run = probe("http://127.0.0.1:" + server.port() + "/", "--window", "2s");

            assertEquals(ProbeCommand.EXIT_ERROR, run.status, run.out + run.err);
            assertTrue(run.out.matches("(?s).*FIN, reading on +error +the server closed its side \\d+ ms "
                    + "after the request, before any departure: it serves no lasting stream here.*"), run.out);
            assertTrue(run.out.contains("A departure could not be judged"), run.out);
        }
    }

    @Test
    void overTlsABareFinAndACloseNotifyAreEachNoticedAndALPNShowsHttp2(@TempDir Path dir) throws Exception {
        Path keystore = Tls.keystore(dir);
        try (TestServer hub = TestServer.start(Map.of(Setting.TLS_KEYSTORE, keystore.toString(),
                Setting.TLS_KEYSTORE_PASSWORD, Tls.PASSWORD, Setting.HEARTBEAT, "1s"))) {
            Run run = probe(hub.uri("/.well-known/mercure?topic=probe-test").toString(), "--window", "3s",
                    "--insecure", "--json");

            assertEquals(ProbeCommand.EXIT_ALL_NOTICED, run.status, run.out + run.err);
            assertEquals("FIN under TLS, reading on", run.check("fin").path("label").asText());
            assertEquals("noticed", run.check("fin").path("result").asText(), run.out);
            assertEquals("noticed", run.check("close-notify").path("result").asText(), run.out);
            assertTrue(run.check("http2").path("h2").asBoolean(), run.out);
            assertEquals("not-run", run.check("rst").path("result").asText(), "without a token, no list to read");
        }
    }

    @Test
    void aSelfSignedCertificateWithoutInsecureEndsWithExitTwoAndTheHint(@TempDir Path dir) throws Exception {
        Path keystore = Tls.keystore(dir);
        try (TestServer hub = TestServer.start(Map.of(Setting.TLS_KEYSTORE, keystore.toString(),
                Setting.TLS_KEYSTORE_PASSWORD, Tls.PASSWORD))) {
            Run run = probe(hub.uri("/.well-known/mercure?topic=x").toString(), "--window", "2s");

            assertEquals(ProbeCommand.EXIT_ERROR, run.status);
            assertTrue(run.err.contains("TLS handshake") && run.err.contains("--insecure"), run.err);
            assertEquals("", run.out);
        }
    }

    @Test
    void anEndpointThatIsNotAnEventStreamEndsWithExitTwoAndAReason() throws Exception {
        try (TestServer hub = TestServer.start(Map.of())) {
            Run page = probe(hub.uri("/metrics").toString(), "--window", "2s", "--json");

            assertEquals(ProbeCommand.EXIT_ERROR, page.status);
            assertTrue(page.err.contains("not an event stream") && page.err.contains("instead of text/event-stream"),
                    page.err);
            JsonNode json = JSON.readTree(page.out);
            assertEquals(2, json.path("exit_status").asInt());
            assertTrue(json.path("error").asText().startsWith("not an event stream"), page.out);
        }
        try (TestServer hub = TestServer.start(Map.of(Setting.ANONYMOUS, "false"))) {
            Run refused = probe(hub.uri("/.well-known/mercure?topic=x").toString(), "--window", "2s");

            assertEquals(ProbeCommand.EXIT_ERROR, refused.status);
            assertTrue(refused.err.contains("answered 401") && refused.err.contains("--token"), refused.err);
        }
    }

    @Test
    void anUnreachableUrlEndsWithExitTwo() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Run run = probe("http://127.0.0.1:" + port + "/events", "--window", "2s");

        assertEquals(ProbeCommand.EXIT_ERROR, run.status);
        assertTrue(run.err.contains("cannot connect to 127.0.0.1:" + port), run.err);
    }

    @Test
    void badCommandLinesEndWithExitTwoAndSayWhatIsWrong() {
        for (List<String> args : List.of(List.<String>of(), List.of("ftp://x/"), List.of("http://x/", "--window", "0s"),
                List.of("http://x/", "--window", "20"), List.of("http://x/", "--header", "no colon"),
                List.of("http://x/", "--frobnicate"), List.of("http://x/", "--header"),
                List.of("http://user:secret@x/"), List.of("http://x/", "--header", "X-A: a\u0001b"),
                List.of("http://x/", "--header", "X-A: \u4e16"), List.of("http://x/", "--token", "a b\r\nX: y"),
                List.of("http://x/", "--window", "11m"))) {
            Run run = probe(args.toArray(String[]::new));

            assertEquals(ProbeCommand.EXIT_ERROR, run.status, args.toString());
            assertTrue(run.err.startsWith("lifeline probe: "), run.err);
            assertEquals("", run.out, args.toString());
        }
        Run help = probe("--help");
        assertEquals(0, help.status);
        assertTrue(help.out.startsWith("usage: java -jar lifeline-server.jar probe URL"), help.out);
    }

    private static String token() {
        return Tokens.token(TestServer.KEY, List.of("*"), List.of("*"), Instant.now().plus(1, ChronoUnit.HOURS));
    }

    private static Run probe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ProbeCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Run(int status, String out, String err) {
        JsonNode check(String name) throws IOException {
            List<JsonNode> found = new ArrayList<>();
            JSON.readTree(out).path("checks").forEach(c -> {
                if (c.path("check").asText().equals(name)) {
                    found.add(c);
                }
            });
            assertEquals(1, found.size(), name + " in " + out);
            return found.get(0);
        }
    }
}
