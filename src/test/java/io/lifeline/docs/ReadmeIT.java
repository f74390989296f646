package io.lifeline.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lifeline.docs.ShellBlocks.Block;
import io.lifeline.docs.ShellBlocks.Document;
import io.lifeline.docs.ShellBlocks.Mode;
import io.lifeline.testing.Poll;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The commands of README.md and of {@code docs/api.md} run as printed, against the packaged program, so that a
 * document that drifts from the program fails the build. The {@code sh} blocks of each file run in order, in one
 * bash session of the file's own ({@code bash --noprofile --norc} fed on standard input), so that what one block
 * exports the next one sees. The conventions a document follows:
 *
 * <ul>
 *   <li>Every {@code ```sh} block is marked by an HTML comment on the nearest non-blank line above its fence:
 *     <ul>
 *       <li>{@code <!-- run -->}: run it. A command that fails fails the test, as under {@code set -e} (a failing
 *         command in a condition, or before {@code ||}, does not), with the file, the block's line, the block and
 *         its output.</li>
 *       <li>{@code <!-- run: server -->}: a program that keeps running. The block runs in the background ({@code &}
 *         is appended to its last command, unless it ends with one; that command is the program), and the test
 *         waits, up to 90 s, for a line of its output that starts with {@code Lifeline ready}. The program is
 *         stopped with {@code SIGTERM} at the end of the file, or when the file's next server block starts, and
 *         must exit with status 0.</li>
 *       <li>{@code <!-- not run: reason -->}: not run; the reason must be given.</li>
 *     </ul>
 *     An {@code sh} block without a marker fails the test, naming the file and the line. Other fences
 *     ({@code ```js}, {@code ```text}, a plain {@code ```}) are not run and need no marker.</li>
 *   <li>The build has packaged the program already: the prefix {@code mvn -q -B package -DskipTests && } at the start
 *     of a run or server block is checked as text, exactly so, and taken out; any other {@code mvn} in such a block
 *     fails the test (mark the block not run). Every {@code curl} given {@code -N} (or {@code --no-buffer}) in such a
 *     block must carry {@code --max-time} (or {@code -m}): the stream would hold the block forever.</li>
 *   <li>Each file's session gets a free loopback port: every {@code 8080} in its run and server blocks becomes that
 *     port, and {@code LIFELINE_PORT} is that port too, for a program started without {@code --port}.</li>
 *   <li>A comment line {@code # => text} says what the block prints: its standard output and error together must
 *     contain each such text, in the order given, {@code ...} standing for any run of characters within one line.
 *     A server block's lines are checked against all its program printed, once it has stopped.</li>
 *   <li>The session starts in an empty temporary directory holding only {@code target}, a symbolic link to the
 *     project's {@code target} directory, so that {@code java -jar target/lifeline-server.jar} works as printed. Its
 *     environment is {@code PATH} and {@code JAVA_HOME} as the build has them, {@code HOME} that directory,
 *     {@code LANG} ({@code C.UTF-8} unless the build sets one) and {@code LIFELINE_PORT}: nothing else of the
 *     build's. Standard input is {@code /dev/null} for every block.</li>
 *   <li>A block has 120 s. At the end, or when the test fails, every process the session started is ended: its
 *     process group and its descendants.</li>
 * </ul>
 *
 * <p>Where {@code curl} or {@code openssl} is not installed, the test is skipped with that reason. Other files than
 * the two are run with {@code -Dlifeline.readme.files=a.md,b.md} (comma-separated, relative to the project or
 * absolute).
 */
class ReadmeIT {

    private static final Duration BLOCK = Duration.ofSeconds(120);
    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration STOP = Duration.ofSeconds(30);
    private static final Duration CLEAN_UP = Duration.ofSeconds(15);
    private static final Pattern READY_LINE = Pattern.compile("(?m)^Lifeline ready\\b");
    /** The most of one output a failure message shows: its end. */
    private static final int SHOWN = 20_000;

    static List<String> documents() {
        return Arrays.stream(System.getProperty("lifeline.readme.files", "README.md,docs/api.md").split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void theShellBlocksOfTheDocumentRunAsPrinted(String document, @TempDir Path temp) throws Exception {
        assumeTrue(onPath("curl"), "curl is not installed, and the documents' commands call it");
        assumeTrue(onPath("openssl"), "openssl is not installed, and the documents' commands call it");
        Path root = DocumentLinksTest.projectRoot();
        Path file = root.resolve(document);
        assertTrue(Files.isRegularFile(file), document + " is missing");
        Path target = root.resolve("target");
        assertTrue(Files.isRegularFile(target.resolve("lifeline-server.jar")),
                "the packaged program is missing: " + target.resolve("lifeline-server.jar"));

        Document doc = ShellBlocks.parse(document, Files.readString(file));
        if (!doc.problems().isEmpty()) {
            fail(doc.problems().size() + " problem(s) in " + document + ", nothing run:\n"
                    + String.join("\n", doc.problems()));
        }
        int port = freePort();
        List<String> syntax = syntaxErrors(document, doc, port);
        if (!syntax.isEmpty()) {
            fail(syntax.size() + " block(s) of " + document + " bash cannot parse, nothing run:\n"
                    + String.join("\n", syntax));
        }
        Path home = Files.createDirectory(temp.resolve("home"));
        Path outputs = Files.createDirectory(temp.resolve("outputs"));
        Files.createSymbolicLink(home.resolve("target"), target);
        try (Session session = Session.start(home, outputs, port)) {
            Server server = null;
            for (Block block : doc.toRun()) {
                if (block.mode() == Mode.SERVER) {
                    if (server != null) {
                        stop(session, document, server, port);
                    }
                    server = startServer(session, document, block, port);
                } else {
                    run(session, document, block, port, server);
                }
            }
            if (server != null) {
                stop(session, document, server, port);
            }
        } finally {
            // the link first: nothing that cleans the directory up may reach the project's target through it
            Files.deleteIfExists(home.resolve("target"));
        }
    }

    /**
     * The blocks bash cannot parse ({@code bash -n}), found before anything runs: in the session, an unclosed quote
     * or construct would swallow the commands that follow it.
     */
    private static List<String> syntaxErrors(String document, Document doc, int port) throws Exception {
        List<String> errors = new ArrayList<>();
        for (Block block : doc.toRun()) {
            Process bash = new ProcessBuilder("bash", "--noprofile", "--norc", "-n")
                    .redirectErrorStream(true).start();
            try (Writer in = new OutputStreamWriter(bash.getOutputStream(), StandardCharsets.UTF_8)) {
                in.write(block.script(port) + "\n");
            }
            String said = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!bash.waitFor(30, TimeUnit.SECONDS)) {
                bash.destroyForcibly();
                throw new AssertionError("bash -n did not finish within 30 s");
            }
            if (bash.exitValue() != 0) {
                errors.add(document + ":" + block.line() + ": " + said.strip().replace("\n", " / "));
            }
        }
        return errors;
    }

    /** A server block's program, running in the background of the session. */
    private record Server(Block block, long pid, Path output) {
    }

    private static void run(Session session, String document, Block block, int port, Server server) {
        String where = document + ":" + block.line() + ": ";
        Session.Result result = runIn(session, where, block, port);
        String context = "\nblock:\n" + block.text() + "\noutput:\n" + shown(result.output())
                + (server == null ? "" : "\noutput so far of the program of the server block at line "
                        + server.block().line() + ":\n" + shown(read(server.output())));
        if (result.status() == null) {
            fail(where + "the block did not finish within " + BLOCK.toSeconds() + " s" + context);
        }
        if (result.status() != 0) {
            fail(where + "the block failed with exit status " + result.status() + context);
        }
        String unmet = ShellBlocks.unmet(block.expectations(port), result.output());
        if (unmet != null) {
            fail(where + unmet + "\nblock:\n" + block.text());
        }
    }

    /** Runs a block; a session that ends meanwhile (a syntax error, an {@code exit}) fails naming the block. */
    private static Session.Result runIn(Session session, String where, Block block, int port) {
        try {
            return session.run(block, port, BLOCK);
        } catch (AssertionError ended) {
            throw new AssertionError(where + ended.getMessage() + "\nblock:\n" + block.text(), ended);
        }
    }

    private static Server startServer(Session session, String document, Block block, int port) {
        String where = document + ":" + block.line() + ": ";
        Session.Result result = runIn(session, where, block, port);
        if (result.status() == null || result.status() != 0 || result.lastJob().isEmpty()) {
            fail(where + "the server block did not start its program in the background (exit status "
                    + result.status() + ", job " + result.lastJob() + ")\nblock:\n" + block.text() + "\noutput:\n"
                    + shown(result.output()));
        }
        long pid = Long.parseLong(result.lastJob());
        Server server = new Server(block, pid, result.file());
        try {
            Poll.until(READY, "a line \"Lifeline ready\"", () -> ready(server) || !alive(pid));
        } catch (AssertionError notReady) {
            fail(where + "no line \"Lifeline ready\" within " + READY.toSeconds() + " s\nblock:\n" + block.text()
                    + "\noutput:\n" + shown(read(server.output())));
        }
        if (!ready(server)) {
            fail(where + "the program exited before its line \"Lifeline ready\"\nblock:\n" + block.text()
                    + "\noutput:\n" + shown(read(server.output())));
        }
        return server;
    }

    private static boolean ready(Server server) {
        return READY_LINE.matcher(read(server.output())).find();
    }

    private static void stop(Session session, String document, Server server, int port) {
        String where = document + ":" + server.block().line() + ": ";
        Integer status;
        try {
            status = session.stop(server.pid(), STOP);
        } catch (AssertionError ended) {
            throw new AssertionError(where + "stopping the program: " + ended.getMessage(), ended);
        }
        String output = read(server.output());
        if (status == null) {
            fail(where + "the program did not exit within " + STOP.toSeconds() + " s of SIGTERM\noutput:\n"
                    + shown(output));
        }
        if (status != 0) {
            fail(where + "the program exited with status " + status + " on SIGTERM, not 0\noutput:\n"
                    + shown(output));
        }
        String unmet = ShellBlocks.unmet(server.block().expectations(port), output);
        if (unmet != null) {
            fail(where + unmet + "\nblock:\n" + server.block().text());
        }
    }

    /**
     * One bash session: its own session and process group ({@code setsid}), commands on its standard input, and on
     * its standard output only the lines the test has it print after each command.
     */
    private static final class Session implements AutoCloseable {

        private static final String END_OF_OUTPUT = new String("end of the session's output");

        private final Process process;
        private final Writer commands;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Path outputs;
        private long bash = -1;
        private int sequence;

        /**
         * What a block did.
         *
         * @param status its exit status; {@code null} if it did not finish in time
         * @param lastJob the process id of the last background job ({@code $!}), or empty
         */
        record Result(Integer status, String lastJob, Path file, String output) {
        }

        private Session(Process process, Path outputs) {
            this.process = process;
            this.outputs = outputs;
            this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ended) {
                    // the session is over
                } finally {
                    lines.add(END_OF_OUTPUT);
                }
            }, "bash-session-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Session start(Path home, Path outputs, int port) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("setsid", "bash", "--noprofile", "--norc")
                    .directory(home.toFile())
                    .redirectError(outputs.resolve("session.err").toFile());
            Map<String, String> env = builder.environment();
            Map<String, String> build = Map.copyOf(env);
            env.clear();
            for (String name : List.of("PATH", "JAVA_HOME", "LANG", "LC_ALL")) {
                if (build.containsKey(name)) {
                    env.put(name, build.get(name));
                }
            }
            env.putIfAbsent("LANG", "C.UTF-8");
            env.put("HOME", home.toString());
            env.put("LIFELINE_PORT", String.valueOf(port));
            Session session = new Session(builder.start(), outputs);
            try {
                String pid = session.command(":", "$$", Duration.ofSeconds(30));
                if (pid == null) {
                    throw new AssertionError("bash did not answer: " + session.errors());
                }
                session.bash = Long.parseLong(pid.trim());
            } catch (RuntimeException | AssertionError e) {
                session.close();
                throw e;
            }
            return session;
        }

        /** Runs a block; its output goes to a file of its own, which its background jobs keep writing to. */
        Result run(Block block, int port, Duration within) {
            int n = ++sequence;
            Path file = outputs.resolve("block-" + n + "-line-" + block.line() + ".out");
            String function = "__lifeline_block_" + n;
            String script = function + "() {\n"
                    + "trap '__lifeline_status=$?; trap - ERR; return $__lifeline_status' ERR\n"
                    + block.script(port) + "\n"
                    + "trap - ERR\n"
                    + "}\n"
                    + "{\n" + function + "\n} > " + quoted(file) + " 2>&1 < /dev/null";
            String answer = command(script, "$? ${!:-}", within);
            if (answer == null) {
                return new Result(null, "", file, read(file));
            }
            String[] words = answer.trim().split(" ", 2);
            return new Result(Integer.valueOf(words[0]), words.length > 1 ? words[1].trim() : "", file, read(file));
        }

        /** SIGTERM to a background job, and its exit status; {@code null} if it did not exit in time. */
        Integer stop(long pid, Duration within) {
            String answer = command("kill -TERM " + pid + " 2>/dev/null; wait " + pid, "$?", within);
            return answer == null ? null : Integer.valueOf(answer.trim());
        }

        /**
         * Feeds the session commands, then a line that prints a sentinel and {@code answer} (shell words, expanded
         * right after the commands: {@code $?} is their status), and returns the expanded answer; {@code null} if the
         * commands did not finish in time.
         */
        private String command(String commands, String answer, Duration within) {
            String sentinel = "__lifeline_" + (++sequence) + "__";
            try {
                this.commands.write(commands + "\nprintf '%s %s\\n' '" + sentinel + "' \"" + answer + "\"\n");
                this.commands.flush();
            } catch (IOException e) {
                throw new AssertionError("the session has ended: " + errors(), e);
            }
            long deadline = System.nanoTime() + within.toNanos();
            while (true) {
                String line;
                try {
                    line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
                if (line == null) {
                    return null;
                }
                if (line == END_OF_OUTPUT) {
                    lines.add(END_OF_OUTPUT);
                    throw new AssertionError("the session ended (bash exit status " + exitStatus() + "): "
                            + errors());
                }
                if (line.startsWith(sentinel + " ")) {
                    return line.substring(sentinel.length() + 1);
                }
            }
        }

        private String exitStatus() {
            try {
                return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "none yet";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unknown";
            }
        }

        private String errors() {
            return "bash's standard error:\n" + shown(read(outputs.resolve("session.err")));
        }

        /** Ends every process the session started: its process group, its descendants, bash itself. */
        @Override
        public void close() {
            try {
                commands.close();
            } catch (IOException ignored) {
                // bash has gone already
            }
            long group = bash > 0 && processGroup(bash) == bash ? bash : -1;
            List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
            if (bash > 0) {
                ProcessHandle.of(bash).ifPresent(h -> descendants.addAll(h.descendants().toList()));
            }
            if (group > 0 && group != processGroup(ProcessHandle.current().pid())) {
                signalGroup(group);
            }
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            if (bash > 0) {
                ProcessHandle.of(bash).ifPresent(ProcessHandle::destroyForcibly);
            }
            Poll.until(CLEAN_UP, "every process of the session gone: left "
                    + leftOver(group, descendants), () -> leftOver(group, descendants).isEmpty());
        }

        private static void signalGroup(long group) {
            try {
                Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + group)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                kill.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The processes of the group and of the list still running (zombies are gone). */
        private static List<Long> leftOver(long group, List<ProcessHandle> descendants) {
            List<Long> left = new ArrayList<>();
            for (ProcessHandle h : descendants) {
                if (alive(h.pid())) {
                    left.add(h.pid());
                }
            }
            if (group > 0) {
                try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                    for (Path p : proc) {
                        long pid = Long.parseLong(p.getFileName().toString());
                        if (!left.contains(pid) && alive(pid) && processGroup(pid) == group) {
                            left.add(pid);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return left;
        }
    }

    private static String quoted(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    /** A process's {@code /proc/PID/stat} fields after its name: state, parent, process group, ... */
    private static String[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    private static long processGroup(long pid) {
        String[] stat = stat(pid);
        return stat == null ? -1 : Long.parseLong(stat[2]);
    }

    /** Whether a process runs: it exists and is no zombie. */
    private static boolean alive(long pid) {
        String[] stat = stat(pid);
        return stat != null && !stat[0].equals("Z") && !stat[0].equals("X");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String shown(String output) {
        return output.length() <= SHOWN ? output
                : "[" + (output.length() - SHOWN) + " characters before]\n" + output.substring(output.length() - SHOWN);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
