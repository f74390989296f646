package io.lifeline.testing;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads series out of a {@code /metrics} answer (Prometheus text format), as a test's assertions need them. */
public final class PrometheusText {

    private PrometheusText() {
    }

    /** The value of one series, written in full with its labels, if the exposition has it. */
    public static OptionalDouble find(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).trim()));
            }
        }
        return OptionalDouble.empty();
    }

    /** The sum of every labelled series of this name. */
    public static double sum(String exposition, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{[^}]*} (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }
}
