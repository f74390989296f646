package io.lifeline.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeline.watch.jetty.JettyHttp1Watch;
import io.lifeline.watch.jetty.JettyHttp2Watch;
import io.lifeline.watch.tomcat.TomcatNioWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@link Watches} writes out of its container watches agrees with the watches themselves, and the package of the
 * watch interface imports none of its container packages, which import it.
 */
class WatchesTest {

    private static final Path WATCH = Path.of("src", "main", "java", "io", "lifeline", "watch");

    @Test
    void theKindsWatchesNamesAreTheContainerWatchesOwn() {
        assertEquals(List.of(JettyHttp1Watch.KIND, JettyHttp2Watch.KIND, TomcatNioWatch.KIND),
                Watches.containerKinds());
    }

    @Test
    void theWatchInterfacesPackageImportsNoContainerPackage() throws IOException {
        try (Stream<Path> files = Files.list(WATCH)) {
            List<String> imports = files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream()
                            .filter(line -> line.startsWith("import io.lifeline.watch.jetty.")
                                    || line.startsWith("import io.lifeline.watch.tomcat."))
                            .map(line -> f.getFileName() + ": " + line);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
            assertEquals(List.of(), imports);
        }
    }
}
