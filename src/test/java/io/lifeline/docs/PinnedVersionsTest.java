package io.lifeline.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Deploying the WAR ({@code docs/war.md}) downloads the very containers the integration tests deploy it in: the
 * versions {@code pom.xml} pins ({@code it.jetty-home.version}, {@code it.tomcat10.version},
 * {@code it.tomcat11.version}) appear in their official download addresses, and the page names no other Jetty 12.1,
 * Tomcat 10.1 or Tomcat 11.0 release than those and the embedded program's Jetty ({@code jetty.version}). A version
 * bumped in {@code pom.xml} and not in the page, or the reverse, fails with both values.
 */
class PinnedVersionsTest {

    static final String JETTY_HOME = "it.jetty-home.version";
    static final String TOMCAT10 = "it.tomcat10.version";
    static final String TOMCAT11 = "it.tomcat11.version";
    static final String JETTY = "jetty.version";

    /** The download address of each pinned container, {@code <v>} standing for its version. */
    private static final Map<String, String> DOWNLOADS = new LinkedHashMap<>();

    static {
        DOWNLOADS.put(JETTY_HOME,
                "https://repo1.maven.org/maven2/org/eclipse/jetty/jetty-home/<v>/jetty-home-<v>.tar.gz");
        DOWNLOADS.put(TOMCAT10, "https://archive.apache.org/dist/tomcat/tomcat-10/v<v>/bin/apache-tomcat-<v>.tar.gz");
        DOWNLOADS.put(TOMCAT11, "https://archive.apache.org/dist/tomcat/tomcat-11/v<v>/bin/apache-tomcat-<v>.tar.gz");
    }

    /** A Jetty 12.1, Tomcat 10.1 or Tomcat 11.0 release, not part of a longer number. */
    private static final Pattern RELEASE = Pattern.compile("(?<![\\d.])(12\\.1|10\\.1|11\\.0)\\.\\d+(?!\\d|\\.\\d)");

    @Test
    void theWarPageDownloadsTheContainerVersionsThePomPins() throws Exception {
        Path root = DocumentLinksTest.projectRoot();
        Map<String, String> pins = pomProperties(root.resolve("pom.xml"));
        Path war = root.resolve("docs/war.md");
        assertTrue(Files.isRegularFile(war), "docs/war.md is missing: it tells how to deploy the WAR, with the "
                + "container versions pom.xml pins");
        List<String> problems = problems(pins, Files.readString(war));
        if (!problems.isEmpty()) {
            fail("docs/war.md and pom.xml disagree:\n" + String.join("\n", problems));
        }
    }

    @Test
    void aPageThatDownloadsThePinnedVersionsAndNamesNoOtherPasses() {
        assertEquals(List.of(), problems(pins("12.1.12", "10.1.59", "11.0.21", "12.1.14"), page("12.1.12", "10.1.59",
                "11.0.21") + "The embedded program builds on Jetty 12.1.14; Tomcat 10.1 and 11 alike.\n"));
    }

    @Test
    void aVersionBumpedInThePomAloneFailsNamingBothValues() {
        List<String> problems = problems(pins("12.1.12", "10.1.60", "11.0.21", "12.1.14"),
                page("12.1.12", "10.1.59", "11.0.21"));
        assertEquals(List.of("pom.xml pins it.tomcat10.version = 10.1.60, but docs/war.md downloads 10.1.59 "
                        + "(line 5): expected https://archive.apache.org/dist/tomcat/tomcat-10/v10.1.60/bin/"
                        + "apache-tomcat-10.1.60.tar.gz",
                "docs/war.md:5 names 10.1.59, but pom.xml pins it.tomcat10.version = 10.1.60"),
                problems);
    }

    @Test
    void aVersionBumpedInThePageAloneFailsNamingBothValues() {
        List<String> problems = problems(pins("12.1.12", "10.1.59", "11.0.21", "12.1.14"),
                page("12.1.13", "10.1.59", "11.0.21") + "Tested with 11.0.20 too.\n");
        assertEquals(List.of("pom.xml pins it.jetty-home.version = 12.1.12, but docs/war.md downloads 12.1.13 "
                        + "(line 3): expected https://repo1.maven.org/maven2/org/eclipse/jetty/jetty-home/12.1.12/"
                        + "jetty-home-12.1.12.tar.gz",
                "docs/war.md:3 names 12.1.13, but pom.xml pins it.jetty-home.version = 12.1.12 (and jetty.version = "
                        + "12.1.14)",
                "docs/war.md:8 names 11.0.20, but pom.xml pins it.tomcat11.version = 11.0.21"),
                problems);
    }

    @Test
    void aPageWithoutADownloadAddressFails() {
        List<String> problems = problems(pins("12.1.12", "10.1.59", "11.0.21", "12.1.14"),
                "Take Tomcat 11.0.21 from somewhere.\n" + page("12.1.12", "10.1.59", "11.0.21").lines()
                        .filter(l -> !l.contains("tomcat-11")).reduce("", (a, b) -> a + b + "\n"));
        assertEquals(List.of("pom.xml pins it.tomcat11.version = 11.0.21, but docs/war.md has no download address "
                + "for it: expected https://archive.apache.org/dist/tomcat/tomcat-11/v11.0.21/bin/apache-tomcat-11.0.21"
                + ".tar.gz"), problems);
    }

    private static Map<String, String> pins(String jettyHome, String tomcat10, String tomcat11, String jetty) {
        return Map.of(JETTY_HOME, jettyHome, TOMCAT10, tomcat10, TOMCAT11, tomcat11, JETTY, jetty);
    }

    private static String page(String jettyHome, String tomcat10, String tomcat11) {
        return "# Deploying the WAR\n\n"
                + "curl -fsSL " + DOWNLOADS.get(JETTY_HOME).replace("<v>", jettyHome) + " | tar xz\n\n"
                + "For 10.1, take `" + DOWNLOADS.get(TOMCAT10).replace("<v>", tomcat10) + "`\n\n"
                + "curl -fsSL " + DOWNLOADS.get(TOMCAT11).replace("<v>", tomcat11) + " | tar xz\n";
    }

    /** What disagrees between the pinned versions and the page, both values named. */
    static List<String> problems(Map<String, String> pins, String page) {
        List<String> problems = new ArrayList<>();
        List<String> lines = Markdown.lines(page);
        for (Map.Entry<String, String> download : DOWNLOADS.entrySet()) {
            String property = download.getKey();
            String pinned = pins.get(property);
            if (pinned == null) {
                problems.add("pom.xml has no property " + property);
                continue;
            }
            String expected = download.getValue().replace("<v>", pinned);
            if (page.contains(expected)) {
                continue;
            }
            Pattern any = Pattern.compile(Pattern.quote(download.getValue())
                    .replace("<v>", "\\E([0-9][0-9A-Za-z.-]*)\\Q"));
            String found = null;
            for (int i = 0; i < lines.size() && found == null; i++) {
                Matcher m = any.matcher(lines.get(i));
                if (m.find()) {
                    found = m.group(1) + " (line " + (i + 1) + ")";
                }
            }
            problems.add("pom.xml pins " + property + " = " + pinned + ", but docs/war.md "
                    + (found == null ? "has no download address for it" : "downloads " + found) + ": expected "
                    + expected);
        }
        for (int i = 0; i < lines.size(); i++) {
            Matcher release = RELEASE.matcher(lines.get(i));
            while (release.find()) {
                String named = release.group();
                String line = "docs/war.md:" + (i + 1) + " names " + named + ", but pom.xml pins ";
                switch (release.group(1)) {
                    case "12.1" -> {
                        if (!named.equals(pins.get(JETTY_HOME)) && !named.equals(pins.get(JETTY))) {
                            report(problems, line + JETTY_HOME + " = " + pins.get(JETTY_HOME) + " (and " + JETTY + " = "
                                    + pins.get(JETTY) + ")");
                        }
                    }
                    case "10.1" -> {
                        if (!named.equals(pins.get(TOMCAT10))) {
                            report(problems, line + TOMCAT10 + " = " + pins.get(TOMCAT10));
                        }
                    }
                    default -> {
                        if (!named.equals(pins.get(TOMCAT11))) {
                            report(problems, line + TOMCAT11 + " = " + pins.get(TOMCAT11));
                        }
                    }
                }
            }
        }
        return problems;
    }

    /** A version named twice on a line (an address names it twice) is reported once. */
    private static void report(List<String> problems, String problem) {
        if (!problems.contains(problem)) {
            problems.add(problem);
        }
    }

    /** The {@code <properties>} of the project's pom.xml. */
    static Map<String, String> pomProperties(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element project = factory.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        Map<String, String> properties = new LinkedHashMap<>();
        NodeList children = project.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node node = children.item(i);
            if (node instanceof Element element && element.getTagName().equals("properties")) {
                NodeList props = element.getChildNodes();
                for (int k = 0; k < props.getLength(); k++) {
                    if (props.item(k) instanceof Element property) {
                        properties.put(property.getTagName(), property.getTextContent().trim());
                    }
                }
            }
        }
        for (String name : List.of(JETTY_HOME, TOMCAT10, TOMCAT11, JETTY)) {
            if (!properties.containsKey(name)) {
                throw new IOException("pom.xml has no property " + name + "; it has " + properties.keySet());
            }
        }
        return properties;
    }
}
