package io.lifeline.probe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the probe's report.
 *
 * @param check    a stable name for scripts, e.g. {@code fin}
 * @param label    what a person reads in the table, e.g. {@code FIN, reading on}
 * @param outcome  the verdict
 * @param detail   what the server did, with times and counts
 * @param why      why the verdict matters, for a line that asks for action; null otherwise
 * @param measures numbers behind the detail for {@code --json}: milliseconds end in {@code _ms}
 */
record Finding(String check, String label, Outcome outcome, String detail, String why, Map<String, Object> measures) {

    /** A verdict. Only departures decide the exit status. */
    enum Outcome {
        /** A departure the server noticed within the window. */
        NOTICED("noticed", true),
        /** A departure the server did not notice within the window. */
        LEAKS("LEAKS", true),
        /** A property of the stream as it should be. */
        OK("ok", false),
        /** A property of the stream worth a look. */
        CHECK("check", false),
        /** Information without a verdict. */
        INFO("info", false),
        /** Not run, and why. */
        NOT_RUN("not run", false),
        /** The check itself failed before it could judge. */
        ERROR("error", false);

        private final String word;
        private final boolean verdictOnDeparture;

        Outcome(String word, boolean verdictOnDeparture) {
            this.word = word;
            this.verdictOnDeparture = verdictOnDeparture;
        }

        /** The word in the table's result column. */
        String word() {
            return word;
        }

        /** Whether this is the verdict of a departure, which the exit status counts. */
        boolean verdictOnDeparture() {
            return verdictOnDeparture;
        }
    }

    Finding {
        measures = Collections.unmodifiableMap(new LinkedHashMap<>(measures));
    }

    static Finding of(String check, String label, Outcome outcome, String detail) {
        return new Finding(check, label, outcome, detail, null, Map.of());
    }
}
