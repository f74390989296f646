package io.lifeline.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

class LineFormatterTest {

    /** The format the embedded program's lines had with the JDK's formatter, which the README documents. */
    private static final String FORMAT = "%1$tF %1$tT.%1$tL %4$s %3$s - %5$s%6$s%n";

    @Test
    void aLineReadsExactlyAsTheJdksSimpleFormatterWroteItWithTheDocumentedFormatWithinASecondAndAcrossOne() {
        String before = System.getProperty("java.util.logging.SimpleFormatter.format");
        System.setProperty("java.util.logging.SimpleFormatter.format", FORMAT);
        try {
            SimpleFormatter jdk = new SimpleFormatter();
            LineFormatter ours = new LineFormatter();
            for (LogRecord record : records()) {
                assertEquals(jdk.format(record), ours.format(record));
            }
        } finally {
            if (before == null) {
                System.clearProperty("java.util.logging.SimpleFormatter.format");
            } else {
                System.setProperty("java.util.logging.SimpleFormatter.format", before);
            }
        }
    }

    private static List<LogRecord> records() {
        LogRecord plain = new LogRecord(Level.INFO, "subscriber urn:uuid:1 started topics=[a]");
        plain.setLoggerName("io.lifeline.subscribers");
        LogRecord sameSecond = new LogRecord(Level.INFO, "subscriber urn:uuid:1 ended");
        sameSecond.setLoggerName("io.lifeline.subscribers");
        sameSecond.setInstant(Instant.parse("2026-11-30T12:45:54.007Z"));
        LogRecord laterInIt = new LogRecord(Level.INFO, "subscriber urn:uuid:2 ended");
        laterInIt.setLoggerName("io.lifeline.subscribers");
        laterInIt.setInstant(Instant.parse("2026-11-30T12:45:54.999999Z"));
        LogRecord nextSecond = new LogRecord(Level.INFO, "subscriber urn:uuid:3 ended");
        nextSecond.setLoggerName("io.lifeline.subscribers");
        nextSecond.setInstant(Instant.parse("2026-11-30T12:45:55.040Z"));
        LogRecord withParameters = new LogRecord(Level.WARNING, "the keys of issuer {0} cannot be fetched: {1}");
        withParameters.setLoggerName("io.lifeline.auth.draft08.AccessTokens");
        withParameters.setParameters(new Object[] {"https://issuer.example.com", "timed out"});
        LogRecord withThrown = new LogRecord(Level.SEVERE, "a fan-out failed");
        withThrown.setLoggerName("io.lifeline.hub.LocalTransport");
        withThrown.setThrown(new IllegalStateException("for the test"));
        return List.of(plain, sameSecond, laterInIt, nextSecond, withParameters, withThrown);
    }
}
