package io.lifeline.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The hub is given its transport and its view and knows nothing of how a cluster keeps it: {@code hub} imports
 * nothing of the Redis package ({@code cluster}), of the live view, of the servlets, of the wiring or of the program, and only the wiring
 * ({@code app.Lifeline}) imports the Redis package, so that Redis stays behind {@link Transport}.
 * Read from the sources, as written.
 */
class HubImportsTest {

    private static final Path MAIN = Path.of("src", "main", "java", "io", "lifeline");

    @Test
    void theHubImportsNeitherTheRedisPackageNorTheLiveViewNorTheServletsNorTheWiringNorTheProgram() {
        TreeSet<String> found = new TreeSet<>();
        for (Path source : sources(MAIN.resolve("hub"))) {
            for (String line : lines(source)) {
                if (line.startsWith("import io.lifeline.cluster.") || line.startsWith("import io.lifeline.live.")
                        || line.startsWith("import io.lifeline.http.")
                        || line.startsWith("import io.lifeline.app.") || line.startsWith("import io.lifeline.server.")) {
                    found.add(source.getFileName() + ": " + line);
                }
            }
        }
        assertEquals(List.of(), List.copyOf(found));
    }

    @Test
    void onlyTheWiringImportsTheRedisPackage() {
        TreeSet<String> importers = new TreeSet<>();
        for (Path source : sources(MAIN)) {
            if (source.startsWith(MAIN.resolve("cluster"))) {
                continue;
            }
            if (lines(source).stream().anyMatch(line -> line.startsWith("import io.lifeline.cluster."))) {
                importers.add(MAIN.relativize(source).toString().replace('\\', '/'));
            }
        }
        assertEquals(List.of("app/Lifeline.java"), List.copyOf(importers));
    }

    private static List<Path> sources(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path source) {
        try {
            return Files.readAllLines(source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
