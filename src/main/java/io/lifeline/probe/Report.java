package io.lifeline.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The probe's answer: a table a person reads in ten seconds, or JSON for scripts, and the exit status.
 *
 * <p>The exit status counts departures alone: {@link ProbeCommand#EXIT_ALL_NOTICED} when every departure that ran
 * was noticed within the window, {@link ProbeCommand#EXIT_LEAKS} when one was not, {@link ProbeCommand#EXIT_ERROR}
 * when none leaked but a departure could not be judged.</p>
 *
 * @param url      the URL probed
 * @param hub      the Mercure hub found behind it, or null
 * @param window   how long each departure was watched
 * @param findings the lines, departures first
 */
record Report(URI url, URI hub, Duration window, List<Finding> findings) {

    /** The widest line {@link #wrap} makes. */
    static final int WIDTH = 100;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    Report {
        findings = List.copyOf(findings);
    }

    /** 0, 1 or 2, as the class comment says. */
    int exitStatus() {
        if (findings.stream().anyMatch(f -> f.outcome() == Finding.Outcome.LEAKS)) {
            return ProbeCommand.EXIT_LEAKS;
        }
        boolean departureFailed = findings.stream().anyMatch(f -> f.outcome() == Finding.Outcome.ERROR
                && isDeparture(f.check()));
        return departureFailed ? ProbeCommand.EXIT_ERROR : ProbeCommand.EXIT_ALL_NOTICED;
    }

    private static boolean isDeparture(String check) {
        for (Departure d : Departure.values()) {
            if (d.check().equals(check)) {
                return true;
            }
        }
        return false;
    }

    /** The table, with why each line that asks for action matters, and a closing sentence. */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append("lifeline probe ").append(url).append('\n');
        out.append(hub == null ? "not a Mercure hub" : "a Mercure hub at " + hub)
                .append("; each departure watched for ").append(seconds(window)).append("\n\n");
        int width = findings.stream().mapToInt(f -> f.label().length()).max().orElse(5);
        out.append(String.format("  %-" + width + "s  %-7s  %s%n", "CHECK", "RESULT", "WHAT THE SERVER DID"));
        for (Finding f : findings) {
            out.append(String.format("  %-" + width + "s  %-7s  %s%n", f.label(), f.outcome().word(), f.detail()));
        }
        List<Finding> explained = findings.stream().filter(f -> f.why() != null).toList();
        if (!explained.isEmpty()) {
            out.append('\n');
            for (Finding f : explained) {
                out.append(wrap("  ", f.label() + ": " + f.why(), "    "));
            }
        }
        long departures = findings.stream().filter(f -> f.outcome().verdictOnDeparture()).count();
        long notRun = findings.stream().filter(f -> f.outcome() == Finding.Outcome.NOT_RUN && isDeparture(f.check()))
                .count();
        long leaks = findings.stream().filter(f -> f.outcome() == Finding.Outcome.LEAKS).count();
        out.append('\n').append(switch (exitStatus()) {
            case ProbeCommand.EXIT_LEAKS -> leaks + " of " + departures + " departures went unnoticed for "
                    + seconds(window) + (findings.stream().anyMatch(f -> f.outcome() == Finding.Outcome.LEAKS
                    && f.check().equals(Departure.FIN.check()))
                    ? ": behind a full-proxy load balancer, every client that leaves stays held."
                    : ": a client that leaves stays held until a write to it fails.");
            case ProbeCommand.EXIT_ERROR -> "A departure could not be judged: see the error above.";
            default -> notRun == 0 ? "Every departure (" + departures + ") was noticed within " + seconds(window) + "."
                    : "Each departure played (" + departures + " of " + (departures + notRun) + ") was noticed within "
                    + seconds(window) + "; " + notRun + (notRun == 1 ? " was" : " were") + " not run, as "
                    + (notRun == 1 ? "its line says." : "their lines say.");
        }).append('\n');
        return out.toString();
    }

    /** The report as JSON: {@code url}, {@code hub}, {@code window_ms}, {@code exit_status}, {@code checks}. */
    String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("url", url.toString());
        root.put("hub", hub == null ? null : hub.toString());
        root.put("window_ms", window.toMillis());
        root.put("exit_status", exitStatus());
        root.put("checks", findings.stream().map(f -> {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("check", f.check());
            line.put("label", f.label());
            line.put("result", f.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            line.put("departure", isDeparture(f.check()));
            line.put("detail", f.detail());
            if (f.why() != null) {
                line.put("why", f.why());
            }
            line.putAll(f.measures());
            return line;
        }).toList());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report of strings and numbers always serializes", e);
        }
    }

    /** The text after {@code first}, in lines of at most {@value #WIDTH} characters, those after the first indented. */
    static String wrap(String first, String text, String indent) {
        StringBuilder out = new StringBuilder(first);
        int length = first.length();
        boolean empty = true;
        for (String word : text.split(" +")) {
            if (!empty && length + 1 + word.length() > WIDTH) {
                out.append('\n').append(indent);
                length = indent.length();
                empty = true;
            }
            if (!empty) {
                out.append(' ');
                length++;
            }
            out.append(word);
            length += word.length();
            empty = false;
        }
        return out.append('\n').toString();
    }

    /** Nanoseconds as a person reads them: {@code 3 ms}, {@code 1.25 s}. */
    static String millis(long nanos) {
        long ms = nanos / 1_000_000L;
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    static String seconds(Duration d) {
        return seconds(d.toNanos());
    }

    static String seconds(long nanos) {
        return nanos % 1_000_000_000L == 0 ? nanos / 1_000_000_000L + " s"
                : String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** {@code 1 heartbeat}, {@code 2 heartbeats}. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
