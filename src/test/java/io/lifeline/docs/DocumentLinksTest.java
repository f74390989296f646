package io.lifeline.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link of README.md and of the Markdown files under {@code docs/} resolves, as GitHub would follow it:
 * the file or directory exists, relative to the linking file's directory, and an anchor ({@code #part}, alone or
 * after a Markdown file) names a heading of that file by GitHub's slug rule. Links to {@code http:}, {@code https:}
 * and {@code mailto:} are not followed, and neither is anything in a fenced code block or a code span. Nothing may
 * point outside the repository: no relative link that resolves above the project's root, and no {@code ../shared}
 * (the sibling directory the benchmarks' C load client came from) anywhere in README.md or {@code docs/}, since a
 * reader of the repository has no such directory. Every broken link is reported at once, by file, line and target.
 */
class DocumentLinksTest {

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsResolves() {
        Path root = projectRoot();
        assertTrue(Files.isRegularFile(root.resolve("README.md")), "no README.md in " + root);
        List<String> problems = problems(root);
        if (!problems.isEmpty()) {
            fail(problems.size() + " broken link(s) or pointer(s) outside the repository:\n"
                    + String.join("\n", problems));
        }
    }

    @Test
    void aHeadingsSlugIsGitHubs() {
        assertEquals("mercure-10-beside-draft-07-in-progress",
                Markdown.slug("Mercure 1.0 beside draft-07 (in progress)"));
        assertEquals("the-reference-hubs-load-test", Markdown.slug("The reference hub's load test"));
        assertEquals("does-your-sse-server-notice-a-departure",
                Markdown.slug("Does your SSE server notice a departure?"));
        assertEquals("jetty-121-jetty-home", Markdown.slug("Jetty 12.1 (jetty-home)"));
        assertEquals("conformance-every-must-of-draft-07-a-hub-must-satisfy-and-its-test",
                Markdown.slug("Conformance: every MUST of draft-07 a hub must satisfy, and its test"));
        assertEquals("lifeline_watch-and-the-tcp-user-timeout",
                Markdown.slug("`LIFELINE_WATCH` and *the* [TCP user timeout](war.md#x)"));
        assertEquals("a--b", Markdown.slug("a & b"), "each space a hyphen, none merged");
    }

    @Test
    void repeatedHeadingsAreNumberedAndHeadingsInCodeBlocksAreNone() {
        assertEquals(List.of("logs", "run-it", "logs-1", "logs-2", "tokens", "anchor-of-mine"), Markdown.anchors("""
                # Logs

                ## Run it

                ```sh
                # not a heading
                ```

                ### Logs
                ## Logs ##

                Tokens
                ------

                <a id="anchor-of-mine"></a>
                """));
    }

    @Test
    void brokenLinksAreReportedAllAtOnceByFileLineAndTarget(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("README.md"), """
                # Lifeline

                See [the API](docs/api.md), [its tokens](docs/api.md#tokens), [why](#why) and
                [the screenshot](docs/live-view.png), ![a missing image](docs/missing.png),
                [the site](https://example.com/x), [mail](mailto:a@example.com), [code](src/).
                `[not a link](nowhere.md)` and

                ```sh
                echo "[not a link either](nowhere.md)"
                ```

                A [link that
                wraps](docs/api.md#subscribe). [Gone](docs/api.md#gone). [Up](../outside.md).
                The load client of `../shared/bench`.

                ## Why
                """);
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("src"));
        Files.write(root.resolve("docs/live-view.png"), new byte[] {1, 2, 3});
        Files.writeString(root.resolve("docs/api.md"), """
                # The API

                Back to [the README](../README.md#lifeline) and [Why](../README.md#why-not).

                ## Subscribe

                ### Tokens
                [Tokens](#tokens), [Run it](#run-it), [ref]

                [ref]: ./nowhere/
                """);
        Files.writeString(root.resolve("docs/notes.txt"), "see ../shared for the client\n");
        assertEquals(List.of(
                "README.md:4: docs/missing.png: no such file or directory",
                "README.md:13: docs/api.md#gone: no heading of docs/api.md has the anchor gone",
                "README.md:13: ../outside.md: points outside the repository",
                "README.md:14: ../shared: points outside the repository (a sibling directory readers do not have)",
                "docs/api.md:3: ../README.md#why-not: no heading of README.md has the anchor why-not",
                "docs/api.md:8: #run-it: no heading of docs/api.md has the anchor run-it",
                "docs/api.md:10: ./nowhere/: no such file or directory",
                "docs/notes.txt:1: ../shared: points outside the repository (a sibling directory readers do not have)"),
                problems(root));
    }

    /** The project's root: where Maven runs the tests from. */
    static Path projectRoot() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
    }

    /** Every problem of README.md and {@code docs/} under {@code root}, each as {@code file:line: target: why}. */
    static List<String> problems(Path root) {
        List<Path> markdown = new ArrayList<>();
        List<Path> scanned = new ArrayList<>();
        if (Files.isRegularFile(root.resolve("README.md"))) {
            markdown.add(root.resolve("README.md"));
            scanned.add(root.resolve("README.md"));
        }
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> files = Files.walk(docs)) {
                files.filter(Files::isRegularFile).sorted().forEach(file -> {
                    scanned.add(file);
                    if (file.getFileName().toString().endsWith(".md")) {
                        markdown.add(file);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<Path, List<String>> anchors = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Path file : scanned) {
            String name = relative(root, file);
            if (markdown.contains(file)) {
                String text = read(file);
                for (Markdown.Link link : Markdown.links(text)) {
                    String problem = check(root, file, link.target(), anchors);
                    if (problem != null) {
                        problems.add(name + ":" + link.line() + ": " + link.target() + ": " + problem);
                    }
                }
            }
            // bytes as Latin-1, so that an image is read too and a line is a line
            List<String> lines = Markdown.lines(new String(bytes(file), StandardCharsets.ISO_8859_1));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("../shared")) {
                    problems.add(name + ":" + (i + 1)
                            + ": ../shared: points outside the repository (a sibling directory readers do not have)");
                }
            }
        }
        return sortedByFileAndLine(problems);
    }

    /** What is wrong with one link of {@code file}, or {@code null}. */
    private static String check(Path root, Path file, String target, Map<Path, List<String>> anchors) {
        if (target.isEmpty()) {
            return "an empty link";
        }
        if (target.startsWith("http:") || target.startsWith("https:") || target.startsWith("mailto:")) {
            return null;
        }
        if (SCHEME.matcher(target).find()) {
            return "a link of another scheme than http, https or mailto";
        }
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : Markdown.percentDecoded(target.substring(hash + 1));
        int query = pathPart.indexOf('?');
        pathPart = Markdown.percentDecoded(query < 0 ? pathPart : pathPart.substring(0, query));
        Path resolved;
        if (pathPart.isEmpty()) {
            resolved = file;
        } else {
            Path base = pathPart.startsWith("/") ? root : file.getParent();
            resolved = base.resolve(pathPart.startsWith("/") ? pathPart.substring(1) : pathPart).normalize();
            if (!resolved.startsWith(root)) {
                return "points outside the repository";
            }
            if (!Files.exists(resolved)) {
                return "no such file or directory";
            }
            try {
                if (!resolved.toRealPath().startsWith(root.toRealPath())) {
                    return "points outside the repository (through a symbolic link)";
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (anchor != null && !anchor.isEmpty() && Files.isRegularFile(resolved) && resolved.getFileName().toString().endsWith(".md")) {
            List<String> known = anchors.computeIfAbsent(resolved, f -> Markdown.anchors(read(f)));
            if (!known.contains(anchor)) {
                return "no heading of " + relative(root, resolved) + " has the anchor " + anchor;
            }
        }
        return null;
    }

    private static List<String> sortedByFileAndLine(List<String> problems) {
        List<String> sorted = new ArrayList<>(problems);
        // stable: within a line, in the order found
        sorted.sort((a, b) -> {
            String[] x = a.split(":", 3);
            String[] y = b.split(":", 3);
            int byFile = x[0].compareTo(y[0]);
            if (byFile != 0) {
                return x[0].equals("README.md") ? -1 : y[0].equals("README.md") ? 1 : byFile;
            }
            return Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
        });
        return sorted;
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    private static String read(Path file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
