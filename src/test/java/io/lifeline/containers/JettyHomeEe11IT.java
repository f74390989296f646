package io.lifeline.containers;

import io.lifeline.watch.jetty.JettyHttp1Watch;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The WAR in a stock jetty-home 12.1, ee11 environment, with {@code jetty-config/base-ee11}. */
class JettyHomeEe11IT extends ContainerMatrix {

    @Override
    Container container(Path base) throws IOException {
        return new JettyHome("ee11", base);
    }

    @Override
    String expectedWatch() {
        return JettyHttp1Watch.KIND;
    }

    @Test
    void lifelineLogsInJettysOwnFormatAndStartsWithoutExceptionText() throws IOException {
        JettyHome.assertLifelineLogsInJettysFormat(container(), hub());
    }

    @Override
    String reportName() {
        return "jetty-home-ee11";
    }
}
