package io.lifeline.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class AsyncConsoleHandlerTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AsyncConsoleHandler handler = new AsyncConsoleHandler(new PrintStream(bytes, true,
            StandardCharsets.UTF_8));

    AsyncConsoleHandlerTest() {
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                return record.getLevel() + " " + record.getMessage() + "\n";
            }
        });
    }

    @Test
    void everyLineFromManyThreadsIsWrittenOnceInEachThreadsOrderByTheTimeFlushReturns() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.execute(() -> {
                for (int i = 0; i < 5000; i++) { // more than the queue holds: loggers wait for room, nothing is lost
                    handler.publish(new LogRecord(Level.INFO, thread + ":" + i));
                }
            });
        }
        threads.shutdown();
        threads.awaitTermination(30, TimeUnit.SECONDS);
        handler.flush();

        List<String> lines = lines();
        assertEquals(20_000, lines.size());
        for (int t = 0; t < 4; t++) {
            List<String> own = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("INFO " + t + ":")) {
                    own.add(line);
                }
            }
            for (int i = 0; i < own.size(); i++) {
                assertEquals("INFO " + t + ":" + i, own.get(i));
            }
        }
    }

    @Test
    void aWarningIsWrittenBeforePublishReturnsAfterTheLinesBeforeIt() {
        for (int i = 0; i < 100; i++) {
            handler.publish(new LogRecord(Level.INFO, "line " + i));
        }
        handler.publish(new LogRecord(Level.SEVERE, "cannot start"));

        List<String> lines = lines(); // no flush: the warning's own write made it all visible
        assertEquals(101, lines.size());
        assertEquals("INFO line 99", lines.get(99));
        assertEquals("SEVERE cannot start", lines.get(100));
        handler.close();
    }

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
