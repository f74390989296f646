package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeline.containers.app.PlainEventsServlet;
import io.lifeline.testing.HalfClosingProxy;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.watch.servlet.DepartureFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The library's filter in front of an application's own SSE servlet ({@link PlainEventsServlet}), in a WAR of its
 * own deployed to a stock jetty-home 12.1 (ee10, the base of {@code jetty-config/}, which lets the web app see the
 * Jetty classes the watch reads) and a stock Tomcat 11: the library, JNA and SLF4J in {@code WEB-INF/lib}, the
 * filter in {@code web.xml}. A FIN, direct or through the half-closing proxy, ends the stream with the reason.
 */
class PlainServletIT {

    private static final Duration WITHIN = Duration.ofSeconds(10);

    private static final String WEB_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
              <filter>
                <filter-name>departures</filter-name>
                <filter-class>io.lifeline.watch.servlet.DepartureFilter</filter-class>
                <async-supported>true</async-supported>
              </filter>
              <filter-mapping>
                <filter-name>departures</filter-name>
                <url-pattern>/*</url-pattern>
                <dispatcher>REQUEST</dispatcher>
                <dispatcher>ASYNC</dispatcher>
              </filter-mapping>
              <servlet>
                <servlet-name>events</servlet-name>
                <servlet-class>io.lifeline.containers.app.PlainEventsServlet</servlet-class>
                <async-supported>true</async-supported>
              </servlet>
              <servlet-mapping>
                <servlet-name>events</servlet-name>
                <url-pattern>/events</url-pattern>
                <url-pattern>/state</url-pattern>
              </servlet-mapping>
            </web-app>
            """;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"jetty-home ee10", "tomcat 11"})
    void aFinDirectOrThroughTheProxyEndsThePlainServletsStreamClientClosed(String which) throws Exception {
        Path war = war(dir.resolve("app.war"));
        try (Container container = container(which, dir.resolve("base"))) {
            container.withJvmArgs(Container.exportsFlag()).start(war, "/state", 200, Map.of());
            try (RawSseClient client = RawSseClient.open(container.port, "/events")) {
                client.awaitBody("welcome", WITHIN);
                Poll.until(WITHIN, "the stream is open", () -> state(container).startsWith("open=1 "));
                client.fin();
                Poll.until(WITHIN, which + ": the FIN ends the stream; " + state(container),
                        () -> state(container).equals("open=0 ended=the client left: client-closed"));
            }
            try (HalfClosingProxy proxy = new HalfClosingProxy(container.port);
                 RawSseClient client = RawSseClient.open(proxy.port(), "/events")) {
                client.awaitBody("welcome", WITHIN);
                Poll.until(WITHIN, "the stream is open", () -> state(container).startsWith("open=1 "));
                client.close();
                Poll.until(WITHIN, which + ": the FIN through the proxy ends the stream; " + state(container),
                        () -> state(container).equals("open=0 ended=the client left: client-closed,"
                                + "the client left: client-closed"));
            }
            assertEquals(0, Stream.of(container.output().split("\n")).filter(l -> l.contains("SEVERE")
                    || l.contains("ERROR")).count(), container.output());
        }
    }

    private static Container container(String which, Path base) throws IOException {
        return which.startsWith("jetty") ? new JettyHome("ee10", base) : new Tomcat("lifeline.it.tomcat11", base);
    }

    private static String state(Container container) {
        try (Http http = new Http()) {
            return http.get(container.uri("/state"), null).body();
        } catch (IOException e) {
            return "unreachable: " + e;
        }
    }

    /**
     * The application's WAR: its servlet, its web.xml, and in WEB-INF/lib the library with what it needs (JNA, SLF4J
     * and a binding to java.util.logging), each taken from where this test loaded it.
     */
    private static Path war(Path war) throws IOException, URISyntaxException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(war))) {
            put(zip, "WEB-INF/web.xml", WEB_XML.getBytes(StandardCharsets.UTF_8));
            String servlet = PlainEventsServlet.class.getName().replace('.', '/');
            Path classes = origin(PlainEventsServlet.class);
            try (Stream<Path> files = Files.list(classes.resolve(servlet).getParent())) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("PlainEventsServlet"))
                        .toList()) {
                    put(zip, "WEB-INF/classes/" + classes.relativize(f).toString().replace('\\', '/'),
                            Files.readAllBytes(f));
                }
            }
            for (Class<?> from : List.of(DepartureFilter.class, com.sun.jna.Native.class, org.slf4j.Logger.class,
                    org.slf4j.jul.JULServiceProvider.class)) {
                Path origin = origin(from);
                put(zip, "WEB-INF/lib/" + (Files.isDirectory(origin) ? "lifeline-watch.jar" : origin.getFileName()),
                        Files.isDirectory(origin) ? jar(origin) : Files.readAllBytes(origin));
            }
        }
        return war;
    }

    private static Path origin(Class<?> type) throws URISyntaxException {
        URI location = type.getProtectionDomain().getCodeSource().getLocation().toURI();
        return Path.of(location);
    }

    /** A module's classes, when the build hands them over as a directory rather than its jar. */
    private static byte[] jar(Path classes) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                put(zip, classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        OutputStream out = zip;
        out.write(content);
        zip.closeEntry();
    }
}
