package io.lifeline.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Http;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded program serves the web app's resources as a servlet container would. */
class WebResourcesTest {

    @Test
    void theIndexPageIsServedAtTheRootAndWebInfIsNot() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            Http.Response index = http.get(server.uri("/"), null);
            assertEquals(200, index.status());
            assertTrue(index.header("Content-Type").startsWith("text/html"), index.header("Content-Type"));
            assertTrue(index.body().contains("new EventSource("), index.body());
            assertEquals(404, http.get(server.uri("/WEB-INF/web.xml"), null).status());
            assertEquals(404, http.get(server.uri("/%57EB-INF/web.xml"), null).status());
            assertEquals(404, http.get(server.uri("/META-INF/MANIFEST.MF"), null).status());
            assertEquals(404, http.get(server.uri("/nothing-here"), null).status());
        }
    }
}
