package io.lifeline.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measured departure times, written by the tests to {@code target/departures/NAME.md}. The tables of
 * departures in docs/departures.md are taken from these files.
 */
public final class DepartureReport {

    private final String title;
    private final Map<String, Row> rows = new TreeMap<>();

    private record Row(String how, String reason, List<Long> micros, String note) {
    }

    public DepartureReport(String title) {
        this.title = title;
    }

    /** One measurement: from the client's action to the subscriber's end. */
    public synchronized void add(String departure, String how, String reason, long micros) {
        rows.computeIfAbsent(departure, k -> new Row(how, reason, new ArrayList<>(), null)).micros().add(micros);
    }

    /** A departure that was not noticed, with what was observed instead. */
    public synchronized void notNoticed(String departure, String observed) {
        rows.put(departure, new Row("nothing", "-", List.of(), observed));
    }

    public synchronized void write(String name) throws IOException {
        StringBuilder md = new StringBuilder("### ").append(title).append("\n\n")
                .append("| departure | noticed by | reason | median | max | runs |\n")
                .append("|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            if (e.getValue().note() != null) {
                md.append("| ").append(e.getKey()).append(" | nothing | - | never: ").append(e.getValue().note())
                        .append(" | | |\n");
                continue;
            }
            List<Long> sorted = e.getValue().micros().stream().sorted().toList();
            md.append("| ").append(e.getKey()).append(" | ").append(e.getValue().how()).append(" | `")
                    .append(e.getValue().reason()).append("` | ").append(ms(sorted.get(sorted.size() / 2)))
                    .append(" | ").append(ms(sorted.get(sorted.size() - 1))).append(" | ").append(sorted.size())
                    .append(" |\n");
        }
        Path dir = Path.of("target", "departures");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".md"), md, StandardCharsets.UTF_8);
    }

    private static String ms(long micros) {
        return micros < 10_000 ? String.format("%.1f ms", micros / 1000.0) : String.format("%d ms", micros / 1000);
    }
}
