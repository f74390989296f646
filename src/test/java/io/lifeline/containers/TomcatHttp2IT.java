package io.lifeline.containers;

import io.lifeline.subscriber.EndReason;
import io.lifeline.testing.DepartureReport;
import io.lifeline.watch.NoWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 in a stock Tomcat 11 (h2c on its NIO connector). No Lifeline watch applies, since HTTP/2 streams share one
 * socket, but none is needed: Tomcat reads an HTTP/2 connection all the time, and tells the servlet of a reset
 * stream or a dropped connection through {@code AsyncListener.onError}. Heartbeats are 30 s apart, so they cannot be
 * what noticed.
 */
class TomcatHttp2IT {

    @Test
    void anHttp2StreamResetOrADroppedConnectionEndsItsSubscriberWithinOneSecond(@TempDir Path dir) throws Exception {
        DepartureReport report = new DepartureReport("Stock Tomcat 11, HTTP/2 (h2c), no departure watch (`none`): "
                + "Tomcat's own notification, heartbeat 30 s (time until the end shows in /metrics)");
        try (Container tomcat = new Tomcat("lifeline.it.tomcat11", Files.createDirectories(dir.resolve("base")))
                .withHttp2().start(ContainerMatrix.SETTINGS); ExternalHub hub = new ExternalHub(tomcat)) {
            Http2Departures.nonAsciiLastEventIdBothWays(tomcat, hub, false);
            Http2Departures.resetAStreamThenDropTheConnection(tomcat, hub, false, NoWatch.KIND, "Tomcat: onError",
                    EndReason.WRITE_FAILED.label(), report, "h2c");
            Http2Departures.aStalledStreamIsResetWhileTheOtherGoesOn(tomcat, hub, false, NoWatch.KIND, report, "h2c");
        } finally {
            report.write("tomcat-11-http2");
        }
    }
}
