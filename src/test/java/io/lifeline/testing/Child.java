package io.lifeline.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A process a test starts, with its output collected line by line; closing it kills it and waits for it. */
public final class Child implements AutoCloseable {

    private final String name;
    private final Process process;
    /**
     * Guarded by itself. Not a copy-on-write list: a benchmark's server prints a line per subscriber, and copying
     * hundreds of thousands of lines for each new one slowed this reader until the server's log writer, and then
     * the server, waited on the pipe.
     */
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private Child(String name, Process process) {
        this.name = name;
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command}, its error output merged into its output. */
    public static Child start(String name, List<String> command) throws IOException {
        return start(name, new ProcessBuilder(command));
    }

    /** Starts a process set up by the caller (directory, environment), its error output merged into its output. */
    public static Child start(String name, ProcessBuilder builder) throws IOException {
        return new Child(name, builder.redirectErrorStream(true).start());
    }

    /** Runs a short command to its end and returns its output; fails unless it exits 0 within 20 s. */
    public static String run(String... command) throws IOException {
        try (Child child = start(command[0], List.of(command))) {
            try {
                boolean exited = child.process.waitFor(20, TimeUnit.SECONDS);
                child.reader.join(TimeUnit.SECONDS.toMillis(2));
                if (!exited || child.process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed: " + child.output());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return child.output();
        }
    }

    /** The first line matching, once it has been printed. */
    public String await(Duration within, String what, Predicate<String> line) {
        return Poll.forValue(within, name + " prints " + what + "; it printed:\n" + output(),
                () -> {
                    synchronized (lines) { // searched in place: a benchmark's server prints many lines
                        return lines.stream().filter(line).findFirst().orElse(null);
                    }
                });
    }

    /** Lines printed so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public String output() {
        return String.join("\n", lines());
    }

    public long pid() {
        return process.pid();
    }

    /** The process itself, for a caller that stops it its own way. */
    public Process process() {
        return process;
    }

    /** Sends a signal ({@code STOP}, {@code CONT}) through the shell's own kill, which every machine has. */
    public void signal(String signal) throws IOException {
        run("bash", "-c", "kill -" + signal + " " + process.pid());
    }

    @Override
    public void close() {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
