package io.lifeline.docs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code sh} blocks of a Markdown document and the marker above each, as {@link ReadmeIT} runs them, and the
 * rules a block must follow to be run: see {@link ReadmeIT} for the conventions. Parsing finds every problem of a
 * document at once, before anything runs.
 */
final class ShellBlocks {

    /** The one {@code mvn} a run or server block may hold: at its start, removed, since the build has packaged. */
    static final String BUILD_PREFIX = "mvn -q -B package -DskipTests && ";

    private static final Pattern RUN = Pattern.compile("<!--\\s*run\\s*-->");
    private static final Pattern SERVER = Pattern.compile("<!--\\s*run:\\s*server\\s*-->");
    private static final Pattern NOT_RUN = Pattern.compile("<!--\\s*not run:(.*?)-->");
    /** What looks like a marker but is none of the three. */
    private static final Pattern MARKER_LIKE = Pattern.compile("<!--\\s*(?:not\\s+)?run\\b.*", Pattern.DOTALL);
    private static final Pattern EXPECTATION = Pattern.compile("^\\s*# =>(.*)$");
    private static final Pattern MVN = Pattern.compile("(?<![\\w./-])mvn(?![\\w.-])");
    private static final Pattern PORT = Pattern.compile("(?<!\\d)8080(?!\\d)");

    private ShellBlocks() {
    }

    enum Mode {
        /** {@code <!-- run -->}: run it; a failing command fails the test. */
        RUN,
        /** {@code <!-- run: server -->}: a program that keeps running, started in the background. */
        SERVER,
        /** {@code <!-- not run: reason -->}: skipped. */
        NOT_RUN
    }

    /**
     * One marked {@code sh} block.
     *
     * @param line the line of its opening fence, from 1
     * @param reason why it is not run ({@link Mode#NOT_RUN}), else empty
     * @param text the block as printed, between its fences
     */
    record Block(int line, Mode mode, String reason, String text) {

        /** The texts of the block's {@code # => text} lines, in order, as printed. */
        List<String> expectations() {
            return ShellBlocks.expectations(text);
        }

        /** The texts of the block's {@code # => text} lines, in order, {@code 8080} made {@code port}. */
        List<String> expectations(int port) {
            return ShellBlocks.expectations(PORT.matcher(text).replaceAll(String.valueOf(port)));
        }

        /**
         * The commands the test feeds the session: the build prefix removed, {@code 8080} made {@code port}, and
         * for a server block {@code &} appended to its last command unless it ends with one.
         */
        String script(int port) {
            String script = text;
            if (script.startsWith(BUILD_PREFIX)) {
                script = script.substring(BUILD_PREFIX.length());
            }
            script = PORT.matcher(script).replaceAll(String.valueOf(port));
            if (mode == Mode.SERVER) {
                script = inBackground(script);
            }
            return script;
        }
    }

    /** A document's marked blocks and what is wrong with it, each problem naming the file and the line. */
    record Document(String name, List<Block> blocks, List<String> problems) {

        List<Block> toRun() {
            return blocks.stream().filter(b -> b.mode() != Mode.NOT_RUN).toList();
        }
    }

    /** The blocks of a Markdown document and its problems; {@code name} is the file's name in messages. */
    static Document parse(String name, String markdown) {
        List<String> lines = Markdown.lines(markdown);
        List<Block> blocks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Markdown.Fence fence : Markdown.fences(lines)) {
            String where = at(name, fence.line());
            String above = nearestNonBlankAbove(lines, fence.line());
            boolean sh = fence.language().equals("sh");
            Matcher notRun = NOT_RUN.matcher(above);
            Mode mode = null;
            String reason = "";
            if (RUN.matcher(above).matches()) {
                mode = Mode.RUN;
            } else if (SERVER.matcher(above).matches()) {
                mode = Mode.SERVER;
            } else if (notRun.matches()) {
                mode = Mode.NOT_RUN;
                reason = notRun.group(1).trim();
            }
            if (!sh) {
                if (mode == Mode.RUN || mode == Mode.SERVER) {
                    problems.add(where + "a run marker above a ```" + fence.info() + " block: only ```sh blocks run");
                }
                continue;
            }
            if (mode == null) {
                problems.add(where + (MARKER_LIKE.matcher(above).matches()
                        ? "the marker " + above + " is none of <!-- run -->, <!-- run: server -->, "
                                + "<!-- not run: reason -->"
                        : "an sh block with no marker: put <!-- run -->, <!-- run: server --> or "
                                + "<!-- not run: reason --> on the line above its fence"));
                continue;
            }
            if (mode == Mode.NOT_RUN && reason.isEmpty()) {
                problems.add(where + "<!-- not run: --> with no reason: say why it is not run");
                continue;
            }
            String text = String.join("\n", fence.content());
            if (!fence.closed()) {
                problems.add(where + "the block's fence is never closed");
            }
            Block block = new Block(fence.line(), mode, reason, text);
            if (mode != Mode.NOT_RUN) {
                problems.addAll(runProblems(name, block));
            }
            blocks.add(block);
        }
        return new Document(name, List.copyOf(blocks), List.copyOf(problems));
    }

    private static String at(String name, int line) {
        return name + ":" + line + ": ";
    }

    private static String nearestNonBlankAbove(List<String> lines, int fenceLine) {
        for (int i = fenceLine - 2; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).trim();
            }
        }
        return "";
    }

    /** What keeps a run or server block from being run as printed. */
    private static List<String> runProblems(String name, Block block) {
        String where = at(name, block.line());
        List<String> problems = new ArrayList<>();
        String text = block.text().startsWith(BUILD_PREFIX)
                ? block.text().substring(BUILD_PREFIX.length()) : block.text();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (MVN.matcher(withoutComment(line)).find()) {
                problems.add(at(name, block.line() + 1 + i) + "runs mvn (" + line.trim() + "): the build has "
                        + "packaged already, and only the prefix `" + BUILD_PREFIX + "` at the block's start is "
                        + "taken out; mark it <!-- not run: reason -->");
            }
        }
        for (Command command : simpleCommands(text)) {
            if (isStreamingCurlWithoutMaxTime(command.words())) {
                problems.add(at(name, block.line() + 1 + command.line()) + "curl -N without --max-time ("
                        + String.join(" ", command.words()) + ") would hang: give it --max-time");
            }
        }
        for (String expectation : block.expectations()) {
            if (expectation.isEmpty()) {
                problems.add(where + "an empty `# =>` line: say what the block prints");
            }
        }
        return problems;
    }

    /** The texts of the {@code # => text} lines of a block, trimmed, in order. */
    static List<String> expectations(String text) {
        List<String> expectations = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = EXPECTATION.matcher(line);
            if (m.matches()) {
                expectations.add(m.group(1).trim());
            }
        }
        return expectations;
    }

    /**
     * What is wrong with {@code output} against a block's expectations, or {@code null} if it contains each, in
     * order: each expectation is found after the end of the one before, {@code ...} standing for any run of
     * characters within one line.
     */
    static String unmet(List<String> expectations, String output) {
        String normalized = output.replace("\r\n", "\n");
        int from = 0;
        for (int i = 0; i < expectations.size(); i++) {
            Matcher m = expectationPattern(expectations.get(i)).matcher(normalized);
            if (!m.find(from)) {
                StringBuilder message = new StringBuilder("the output does not contain, in order, what the block's "
                        + "`# =>` lines say; expected:\n");
                for (int k = 0; k < expectations.size(); k++) {
                    message.append(k < i ? "  found      " : k == i ? "  NOT FOUND  " : "  not looked ")
                            .append(expectations.get(k)).append('\n');
                }
                return message.append("actual output:\n").append(normalized).toString();
            }
            from = m.end();
        }
        return null;
    }

    /** An expectation as a pattern: its text literally, each {@code ...} any run of characters within a line. */
    static Pattern expectationPattern(String expectation) {
        StringBuilder regex = new StringBuilder();
        String[] pieces = expectation.split("\\.\\.\\.", -1);
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) {
                regex.append("[^\\n]*");
            }
            regex.append(Pattern.quote(pieces[i]));
        }
        return Pattern.compile(regex.toString());
    }

    /** The script with {@code &} after its last command, unless that already ends with one. */
    static String inBackground(String script) {
        List<String> lines = new ArrayList<>(List.of(script.split("\n", -1)));
        for (int i = lines.size() - 1; i >= 0; i--) {
            String code = withoutComment(lines.get(i)).stripTrailing();
            if (code.isBlank()) {
                continue;
            }
            if (!(code.endsWith("&") && !code.endsWith("&&"))) {
                lines.set(i, code + " &");
            }
            return String.join("\n", lines);
        }
        return script;
    }

    /** The line without its trailing shell comment: an unquoted {@code #} at a word's start and what follows. */
    static String withoutComment(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (single) {
                single = c != '\'';
            } else if (c == '\\') {
                i++;
            } else if (dbl) {
                dbl = c != '"';
            } else if (c == '\'') {
                single = true;
            } else if (c == '"') {
                dbl = true;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private enum Quote { NONE, SINGLE, DOUBLE }

    /**
     * A simple command of a script.
     *
     * @param line the script's line its first word is on, from 0
     * @param words its words, quotes removed
     */
    record Command(int line, List<String> words) {
    }

    /**
     * The simple commands of a script, roughly as a shell splits them: continuation lines joined, comments left
     * out, a new command after {@code ; & | ( )}, a newline, a backtick, and inside {@code $(...)}, also within
     * double quotes. Enough to find a curl and its options.
     */
    static List<Command> simpleCommands(String script) {
        String text = script.replace("\r\n", "\n");
        List<Command> commands = new ArrayList<>();
        Words words = new Words();
        Deque<Quote> stack = new ArrayDeque<>();
        Quote quote = Quote.NONE;
        int line = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
            }
            if (quote == Quote.SINGLE) {
                if (c == '\'') {
                    quote = Quote.NONE;
                } else {
                    words.append(c, line);
                }
                continue;
            }
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(++i);
                if (next == '\n') {
                    line++; // a continuation line: the two characters are gone
                } else {
                    words.append(next, line);
                }
                continue;
            }
            if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '(') {
                words.endCommand(commands);
                stack.push(quote);
                quote = Quote.NONE;
                i++;
                continue;
            }
            if (quote == Quote.DOUBLE) {
                if (c == '"') {
                    quote = Quote.NONE;
                } else {
                    words.append(c, line);
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                words.startWord(line);
                quote = c == '\'' ? Quote.SINGLE : Quote.DOUBLE;
            } else if (c == '#' && !words.inWord()) {
                while (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
                    i++;
                }
            } else if (c == '&' && (i > 0 && (text.charAt(i - 1) == '>' || text.charAt(i - 1) == '<')
                    || i + 1 < text.length() && text.charAt(i + 1) == '>')) {
                words.append(c, line); // a redirection: 2>&1, &>file
            } else if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '\n' || c == '`') {
                words.endCommand(commands);
                if (c == '(') {
                    stack.push(Quote.NONE);
                } else if (c == ')' && !stack.isEmpty()) {
                    quote = stack.pop();
                    if (quote == Quote.DOUBLE) {
                        words.startWord(line);
                    }
                }
            } else if (Character.isWhitespace(c)) {
                words.endWord();
            } else {
                words.append(c, line);
            }
        }
        words.endCommand(commands);
        return commands;
    }

    /** The words of the command being read, and the one being read. */
    private static final class Words {
        private final List<String> words = new ArrayList<>();
        private StringBuilder word;
        private int line = -1;

        boolean inWord() {
            return word != null;
        }

        void startWord(int at) {
            if (word == null) {
                word = new StringBuilder();
                line = line < 0 ? at : line;
            }
        }

        void append(char c, int at) {
            startWord(at);
            word.append(c);
        }

        void endWord() {
            if (word != null) {
                words.add(word.toString());
                word = null;
            }
        }

        void endCommand(List<Command> commands) {
            endWord();
            if (!words.isEmpty()) {
                commands.add(new Command(line, List.copyOf(words)));
            }
            words.clear();
            line = -1;
        }
    }

    /** Whether a command runs curl with {@code -N} (or {@code --no-buffer}) and no {@code --max-time} ({@code -m}). */
    static boolean isStreamingCurlWithoutMaxTime(List<String> command) {
        int curl = -1;
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).equals("curl") || command.get(i).endsWith("/curl")) {
                curl = i;
                break;
            }
        }
        if (curl < 0) {
            return false;
        }
        boolean streaming = false;
        boolean bounded = false;
        for (String w : command.subList(curl + 1, command.size())) {
            if (w.equals("--no-buffer") || w.matches("-[a-zA-Z0-9#:]*N[a-zA-Z0-9#:]*")) {
                streaming = true;
            }
            if (w.equals("--max-time") || w.matches("-[a-zA-Z0-9#:]*m(\\d+(\\.\\d+)?)?")) {
                bounded = true;
            }
        }
        return streaming && !bounded;
    }
}
