package io.lifeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lifeline.testing.AccessTokenIssuer;
import io.lifeline.testing.Child;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The reference hub's own Gatling load test ({@code gatling/src/test/scala/mercure/LoadTest.scala} of
 * {@code dunglas/mercure}), unchanged, against Lifeline: the draft-07 run with the test of tag {@code v0.24.2}, the
 * Mercure 1.0 run with that of {@code v1.0.0-alpha.3}.
 *
 * <p>Each run compiles the test with the Scala compiler, starts the embedded program pinned to one core and Gatling
 * pinned to the other, and keeps Gatling's summary in {@code target/bench/gatling.md} and its HTML reports in
 * {@code target/gatling/}. Lifeline runs with {@code LIFELINE_CURSOR_EVENT=false}: Gatling's SSE client delivers the
 * id-only block every stream otherwise opens with as a message, which EventSource never does, and the test's check of
 * the first message would fail on it.</p>
 *
 * <p>Not part of {@code mvn verify}; it needs the {@code gatling} profile (Gatling and the Scala compiler) and a clone
 * of {@code dunglas/mercure}:</p>
 * <pre>
 * git clone https://github.com/dunglas/mercure target/mercure
 * mvn -B test -Pgatling -Dtest=GatlingBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dlifeline.gatling.mercure=target/mercure
 * </pre>
 * <p>The load is the test's own variables, {@code -Dlifeline.gatling.NAME=value} for each (defaults below: the
 * reference's "starting recipe" with the injection shortened to a minute).</p>
 */
class GatlingBench {

    private static final Path MERCURE = Path.of(System.getProperty("lifeline.gatling.mercure", ""));
    private static final Path WORK = Path.of("target", "gatling");
    private static final Path REPORT = Path.of("target", "bench", "gatling.md");
    /** The test's variables, as the reference documents them, with this benchmark's defaults. */
    private static final Map<String, String> LOAD = new LinkedHashMap<>();

    static {
        LOAD.put("INITIAL_SUBSCRIBERS", "1000");
        LOAD.put("SUBSCRIBERS_RATE_FROM", "50");
        LOAD.put("SUBSCRIBERS_RATE_TO", "200");
        LOAD.put("PUBLISHERS_RATE_FROM", "10");
        LOAD.put("PUBLISHERS_RATE_TO", "100");
        LOAD.put("INJECTION_DURATION", "60");
        LOAD.put("CONNECTION_DURATION", "60");
        LOAD.replaceAll((name, value) -> System.getProperty("lifeline.gatling." + name, value));
    }

    @Test
    void theReferenceLoadTestRunsAgainstLifelineInBothDialects() throws Exception {
        assumeTrue(Files.isDirectory(MERCURE.resolve(".git")) || Files.isRegularFile(MERCURE.resolve("HEAD")),
                "-Dlifeline.gatling.mercure must name a clone of https://github.com/dunglas/mercure");
        assumeTrue(onClasspath("io.gatling.app.Gatling") && onClasspath("scala.tools.nsc.Main"),
                "Gatling and the Scala compiler are in the gatling profile: mvn -Pgatling ...");
        Files.createDirectories(REPORT.getParent());
        StringBuilder report = new StringBuilder("# The reference load test against Lifeline\n\nLoad: ")
                .append(LOAD).append("\n");
        report.append(run("draft-07", "v0.24.2"));
        report.append(run("1.0", "v1.0.0-alpha.3"));
        Files.writeString(REPORT, report);
        System.out.println(report);
    }

    /** One run: the test of this tag, compiled, against a fresh Lifeline; Gatling's summary as Markdown. */
    private String run(String dialect, String tag) throws Exception {
        Path dir = WORK.resolve(tag);
        Path source = dir.resolve("src/mercure/LoadTest.scala");
        Path classes = dir.resolve("classes");
        Files.createDirectories(source.getParent());
        Files.createDirectories(classes);
        Files.writeString(source, Child.run("git", "-C", MERCURE.toString(), "show",
                tag + ":gatling/src/test/scala/mercure/LoadTest.scala"));
        String classpath = String.join(":", classpath());
        await(Child.start("scalac", List.of("java", "-cp", classpath, "scala.tools.nsc.Main", "-classpath", classpath,
                "-language:postfixOps", "-nowarn", "-d", classes.toString(), source.toString())),
                Duration.ofMinutes(3), "scalac");

        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String hub = "http://127.0.0.1:" + port + "/.well-known/mercure";
        AccessTokenIssuer issuer = new AccessTokenIssuer("https://gatling.example");
        Map<String, String> env = new HashMap<>(Map.of("LIFELINE_JWT_KEY", BenchServer.Lifeline.KEY,
                "LIFELINE_ANONYMOUS", "true", "LIFELINE_HOST", "127.0.0.1", "LIFELINE_CURSOR_EVENT", "false",
                "LIFELINE_RESOURCE", hub,
                "LIFELINE_ISSUERS", "{\"" + issuer.issuer() + "\": {\"jwks\": " + issuer.jwks() + "}}"));
        String token = dialect.equals("1.0")
                ? issuer.token().claims(c -> c.audience(hub)).grant(List.of("publish"), "*").sign()
                : Tokens.publisher(BenchServer.Lifeline.KEY, "*");
        ProcessBuilder server = new ProcessBuilder(BenchServer.program(SideBySideBench.JVM, port));
        server.environment().putAll(env);
        try (Child lifeline = Child.start("lifeline", server)) {
            lifeline.await(Duration.ofSeconds(60), "ready", line -> line.contains("ready on"));
            Path logback = dir.resolve("logback.xml");
            Files.writeString(logback, "<configuration><appender name=\"C\" class=\"ch.qos.logback.core."
                    + "ConsoleAppender\"><encoder><pattern>%msg%n</pattern></encoder></appender><root level=\"WARN\">"
                    + "<appender-ref ref=\"C\"/></root></configuration>");
            List<String> command = new ArrayList<>(List.of("taskset", "-c", "0", "java",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Dlogback.configurationFile=" + logback,
                    "-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider",
                    "-cp", classes + ":" + classpath, "io.gatling.app.Gatling", "-s", "mercure.LoadTest",
                    "-rf", dir.resolve("results").toString()));
            ProcessBuilder gatling = new ProcessBuilder(command);
            gatling.environment().putAll(LOAD);
            gatling.environment().put("HUB_URL", hub);
            gatling.environment().put("JWT", token);
            long seconds = Long.parseLong(LOAD.get("INJECTION_DURATION"))
                    + Long.parseLong(LOAD.get("CONNECTION_DURATION"));
            Child load = Child.start("gatling", gatling);
            String output = await(load, Duration.ofSeconds(seconds + 300), "gatling");
            Files.writeString(dir.resolve("gatling.out"), output);
            return "\n## " + dialect + " (LoadTest.scala of " + tag + ")\n\n" + requestTable(dir.resolve("results"))
                    + "\n```\n" + lastBlock(output, "---- Requests") + "\n"
                    + lastBlock(output, "---- Global Information") + "\n```\n";
        }
    }

    /**
     * One row per request of the newest report under {@code results}: counts and response times in milliseconds,
     * read from the statistics table of each {@code req_*.html} page Gatling writes.
     */
    private static String requestTable(Path results) throws IOException {
        Path report;
        try (Stream<Path> runs = Files.list(results)) {
            report = runs.filter(Files::isDirectory).max(Comparator.comparing(Path::getFileName)).orElseThrow();
        }
        StringBuilder table = new StringBuilder("| request | count | KO | p50 ms | p95 ms | p99 ms | max ms |\n"
                + "|---|---|---|---|---|---|---|\n");
        Pattern cell = Pattern.compile("<td class=\"title\">([^<]+)</td>\\s*<td class=\"total\">([^<]+)</td>"
                + "\\s*<td class=\"ok\">[^<]*</td>\\s*<td class=\"ko\">([^<]+)</td>");
        try (Stream<Path> pages = Files.list(report)) {
            for (Path page : pages.filter(p -> p.getFileName().toString().startsWith("req_")).sorted().toList()) {
                String html = Files.readString(page);
                Map<String, String[]> rows = new HashMap<>();
                Matcher m = cell.matcher(html);
                while (m.find()) {
                    rows.putIfAbsent(m.group(1).trim(), new String[] {m.group(2).trim(), m.group(3).trim()});
                }
                String name = page.getFileName().toString().replaceAll("^req_|-+-?\\d+\\.html$", "");
                table.append("| ").append(name)
                        .append(" | ").append(value(rows, "Total count", 0)).append(" | ")
                        .append(value(rows, "Total count", 1)).append(" | ").append(value(rows, "50th percentile", 0))
                        .append(" | ").append(value(rows, "95th percentile", 0)).append(" | ")
                        .append(value(rows, "99th percentile", 0)).append(" | ").append(value(rows, "Max", 0))
                        .append(" |\n");
            }
        }
        return table.toString();
    }

    private static String value(Map<String, String[]> rows, String title, int column) {
        String[] row = rows.get(title);
        return row == null ? "?" : row[column];
    }

    /** The last block of Gatling's console output that starts with this heading, up to its closing rule. */
    private static String lastBlock(String output, String heading) {
        int start = output.lastIndexOf(heading);
        if (start < 0) {
            return "(no \"" + heading + "\" in Gatling's output: see its gatling.out)";
        }
        int end = output.indexOf("\n=====", start);
        return output.substring(start, end < 0 ? output.length() : end).strip();
    }

    private static String await(Child child, Duration within, String what) throws InterruptedException {
        try (child) {
            boolean exited = child.process().waitFor(within.toSeconds(), TimeUnit.SECONDS);
            assertEquals(true, exited, what + " did not finish: " + child.output());
            assertEquals(0, child.process().exitValue(), what + " failed: " + child.output());
            return child.output();
        }
    }

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, GatlingBench.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The test classpath, its entries spelled out even when surefire hands it over as one manifest-only jar. */
    private static List<String> classpath() throws IOException {
        String[] given = System.getProperty("java.class.path").split(":");
        List<String> entries = new ArrayList<>(List.of(given));
        if (given.length == 1 && given[0].endsWith(".jar")) {
            try (JarFile jar = new JarFile(given[0])) {
                Manifest manifest = jar.getManifest();
                String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                for (String url : classPath == null ? new String[0] : classPath.trim().split("\\s+")) {
                    // relative to the manifest's jar, as the JVM reads them
                    entries.add(Path.of(Path.of(given[0]).toAbsolutePath().getParent().toUri()
                            .resolve(URI.create(url))).toString());
                }
            }
        }
        return entries;
    }
}
