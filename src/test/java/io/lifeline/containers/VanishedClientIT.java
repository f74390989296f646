package io.lifeline.containers;

import io.lifeline.subscriber.EndReason;
import io.lifeline.testing.Child;
import io.lifeline.testing.Deadline;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.NetworkNamespace;
import io.lifeline.testing.Poll;
import io.lifeline.testing.SseReaderProcess;
import io.lifeline.watch.jetty.JettyHttp1Watch;
import io.lifeline.watch.tomcat.TomcatNioWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TCP user timeout in a WAR, opted into as docs/war.md says: {@code LIFELINE_TCP_USER_TIMEOUT} and the JVM flag
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}. The start-up line says it is active, and a client whose host
 * vanishes (a network namespace of the test's own loses its address after the first heartbeat) ends
 * {@code client-timeout} within a heartbeat plus the user timeout plus one second, in every container.
 */
class VanishedClientIT {

    private static final Duration BOUND = Duration.ofSeconds(1 + 2 + 1);
    private static final DepartureReport REPORT = new DepartureReport("Stock containers, HTTP/1.1, a client whose "
            + "host vanishes, heartbeat 1 s, LIFELINE_TCP_USER_TIMEOUT=2s with the JVM flag; time from the address's "
            + "removal until the end shows in /metrics");

    @BeforeAll
    static void namespacesAreAvailable() {
        NetworkNamespace.requireAvailable();
    }

    @AfterAll
    static void writeReport() throws IOException {
        REPORT.write("containers-vanished-client");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty-home ee10", "jetty-home ee11", "tomcat 10.1", "tomcat 11"})
    void aClientWhoseHostVanishesEndsClientTimeoutWithinAHeartbeatPlusTheUserTimeoutPlusOneSecond(String which,
            @TempDir Path dir) throws IOException {
        Path base = Files.createDirectories(dir.resolve("base"));
        Container container = which.equals("jetty-home ee10") ? new JettyHome("ee10", base)
                : which.equals("jetty-home ee11") ? new JettyHome("ee11", base)
                : which.equals("tomcat 10.1") ? new Tomcat("lifeline.it.tomcat10", base)
                : new Tomcat("lifeline.it.tomcat11", base);
        String watch = which.startsWith("jetty") ? JettyHttp1Watch.KIND : TomcatNioWatch.KIND;
        Map<String, String> settings = new HashMap<>(ContainerMatrix.SETTINGS);
        settings.put("LIFELINE_HEARTBEAT", "1s");
        settings.put("LIFELINE_DISPATCH_TIMEOUT", "2s");
        settings.put("LIFELINE_TCP_USER_TIMEOUT", "2s");
        String topic = "https://example.com/containers/vanished/" + UUID.randomUUID();
        try (NetworkNamespace host = NetworkNamespace.create();
             Container running = container.on(host.hostAddress()).withJvmArgs(Container.exportsFlag())
                     .start(settings);
             ExternalHub hub = new ExternalHub(running);
             Child client = host.start("vanishing-client", SseReaderProcess.command(host.hostAddress(),
                     running.port, "/.well-known/mercure?topic=" + topic, false))) {
            Poll.until(Duration.ofSeconds(5), "the start-up line says the user timeout is active",
                    () -> running.output().contains("TCP user timeout 2000 ms on every subscriber's connection"));
            client.await(Duration.ofSeconds(10), "the response head", "HEAD 200"::equals);
            hub.awaitSubscriber(topic);
            Poll.until(Duration.ofSeconds(5), "a heartbeat after the opening comment",
                    () -> client.lines().stream().filter("COMMENT"::equals).count() >= 2);
            String reason = EndReason.CLIENT_TIMEOUT.label();
            long before = hub.ended(reason, watch);

            long vanished = System.nanoTime();
            host.removeClientAddress();
            Poll.until(Deadline.after(vanished, BOUND).left(), reason + " by " + watch + " in /metrics; output:\n"
                    + running.output(), () -> hub.ended(reason, watch) == before + 1);
            REPORT.add(running.name + ", vanished client", watch + " (ETIMEDOUT)", reason,
                    (System.nanoTime() - vanished) / 1000);
            Poll.until(Duration.ofSeconds(2), "gone from the subscriptions API",
                    () -> hub.subscriptionsOf(topic).isEmpty());
        }
    }
}
