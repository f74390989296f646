package io.lifeline.containers;

import io.lifeline.subscriber.EndReason;
import io.lifeline.testing.Tls;
import io.lifeline.watch.jetty.JettyHttp1Watch;
import io.lifeline.watch.jetty.JettyHttp2Watch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The WAR in a stock jetty-home 12.1 (ee10) given a TLS connector with HTTP/2 as docs/war.md shows: the departure
 * matrix over TLS HTTP/1.1, where the Jetty watch reads the decrypted connection, and HTTP/2, where a reset stream
 * ends its subscriber through Jetty's own notification while the connection's other streams go on.
 */
class JettyHomeTlsIT extends ContainerMatrix {

    @Override
    Container container(Path base) throws IOException {
        try {
            Path keystore = Tls.keystore(Files.createDirectories(base.resolve("keys")));
            return new JettyHome("ee10", base, keystore, Tls.PASSWORD);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making a keystore", e);
        }
    }

    @Override
    String expectedWatch() {
        return JettyHttp1Watch.KIND;
    }

    @Override
    String reportName() {
        return "jetty-home-ee10-tls";
    }

    @Test
    void overHttp2ANonAsciiLastEventIdIsReadAndAnsweredAsUtf8() throws Exception {
        Http2Departures.nonAsciiLastEventIdBothWays(container(), hub(), true);
    }

    @Test
    void anHttp2StreamResetEndsItsSubscriberWithinOneSecondWhileTheOtherStreamGoesOn() throws Exception {
        Http2Departures.resetAStreamThenDropTheConnection(container(), hub(), true, JettyHttp2Watch.KIND,
                JettyHttp2Watch.KIND, EndReason.CLIENT_RESET.label(), report(), "h2");
    }
}
