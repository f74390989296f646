package io.lifeline.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.auth.Claims;
import io.lifeline.auth.draft07.Jwts;
import io.lifeline.config.Setting;
import io.lifeline.config.Settings;
import io.lifeline.topic.Matcher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** What {@code mvn package} builds: a WAR for a container, a runnable jar with the same web app. */
class PackagingIT {

    @Test
    void theWarHoldsTheWebAppButNoJettyNoServletApiAndNoLauncher() throws IOException {
        try (ZipFile war = new ZipFile(Path.of(System.getProperty("lifeline.war")).toFile())) {
            List<String> names = war.stream().map(ZipEntry::getName).toList();
            assertTrue(names.contains("WEB-INF/web.xml"), names.toString());
            assertTrue(names.contains("index.html"), names.toString());
            assertTrue(names.contains("WEB-INF/classes/io/lifeline/http/LifelineContextListener.class"));
            assertTrue(names.stream().anyMatch(n -> n.startsWith("WEB-INF/lib/lifeline-watch-")), "the departure watches");
            assertTrue(names.stream().anyMatch(n -> n.startsWith("WEB-INF/lib/java-jwt-")));
            assertEquals(List.of(), names.stream().filter(n -> n.startsWith("WEB-INF/lib/jetty-")
                    || n.startsWith("WEB-INF/lib/jakarta.servlet-api") || n.contains("io/lifeline/server/")
                    || n.startsWith("WEB-INF/classes/webapp/") || n.startsWith("WEB-INF/lib/logback-")).toList());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("WEB-INF/lib/slf4j-jdk14-")),
                    "the web app logs through java.util.logging, which the container routes: " + names);
        }
    }

    @Test
    void theServerJarRunsMainAndCarriesTheWebResources() throws IOException {
        try (JarFile jar = new JarFile(Path.of(System.getProperty("lifeline.server.jar")).toFile())) {
            assertEquals("io.lifeline.server.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertTrue(jar.getEntry("webapp/index.html") != null);
            assertTrue(jar.getEntry("org/eclipse/jetty/server/Server.class") != null);
            try (InputStream providers = jar.getInputStream(
                    jar.getEntry("META-INF/services/org.slf4j.spi.SLF4JServiceProvider"))) {
                assertEquals("ch.qos.logback.classic.spi.LogbackServiceProvider",
                        new String(providers.readAllBytes(), StandardCharsets.UTF_8).trim(),
                        "one SLF4J binding in the runnable jar: Logback");
            }
            assertTrue(jar.getEntry("io/lifeline/server/logback.xml") != null);
            assertTrue(jar.getEntry("org/slf4j/jul/JULServiceProvider.class") == null);
        }
    }

    @Test
    void theServerJarsTokenCommandPrintsATokenTheHubAccepts() throws Exception {
        String key = "k".repeat(40);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("lifeline.server.jar"), "token", "--publish", "*", "--lifetime", "5m");
        builder.environment().keySet().removeIf(name -> name.startsWith("LIFELINE_"));
        builder.environment().put(Setting.JWT_KEY.envName(), key);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the token command ends");

        assertEquals(0, process.exitValue(), err);
        assertEquals("", err);
        assertTrue(out.matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+\\R"), "the token alone on one line: " + out);
        Claims claims = new Jwts(Settings.of(Map.of(Setting.JWT_KEY, key)).publisherKey()).verify(out.strip());
        assertEquals(Matcher.selectors(List.of("*")), claims.publish());
    }
}
