package io.lifeline.docs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few parts of Markdown the document tests read, as GitHub renders them: fenced code blocks, headings and the
 * anchors GitHub gives them, code spans, and link targets. Not a Markdown parser: just enough of CommonMark for
 * documents written by hand.
 */
final class Markdown {

    private static final Pattern FENCE_OPEN = Pattern.compile("^([ \\t]*)(`{3,}|~{3,})(.*)$");
    private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}#{1,6}(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(?:=+|-+)[ \\t]*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s[^>]*?\\b(?:id|name)\\s*=\\s*\"([^\"]+)\"",
            Pattern.CASE_INSENSITIVE);
    /** A code span: a run of backticks, anything, and a run of the same length (CommonMark 6.1). */
    private static final Pattern CODE_SPAN = Pattern.compile("(?<!`)(`+)(?!`)(.+?)(?<!`)\\1(?!`)", Pattern.DOTALL);
    /** {@code [text](target "title")} and {@code ![alt](target)}; the text may hold one level of brackets. */
    private static final Pattern INLINE_LINK = Pattern.compile(
            "!?\\[(?:[^\\[\\]]|\\[[^\\[\\]]*\\])*\\]\\(\\s*(<[^<>\\n]*>|(?:[^\\s()<>]|\\([^\\s()]*\\))+)"
                    + "(?:\\s+(?:\"[^\"]*\"|'[^']*'|\\([^()]*\\)))?\\s*\\)");
    /** A link reference definition, {@code [label]: target}. */
    private static final Pattern REFERENCE_DEFINITION = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*(<[^<>]*>|\\S+)");
    /** {@code href="..."} and {@code src="..."} in an HTML tag. */
    private static final Pattern HTML_LINK = Pattern.compile("<[a-zA-Z][^>]*?\\b(?:href|src)\\s*=\\s*\"([^\"]*)\"");

    private Markdown() {
    }

    /**
     * A fenced code block.
     *
     * @param line the opening fence's line, from 1
     * @param indent how far the opening fence is indented (as much is taken from each content line)
     * @param info the info string after the opening fence, trimmed: {@code sh}, {@code js}, or empty
     * @param closed whether a closing fence ends it (without one it runs to the end of the document)
     * @param content its lines, between the fences
     */
    record Fence(int line, int indent, String info, boolean closed, List<String> content) {

        /** The first word of the info string: {@code sh} for {@code ```sh}, empty for a plain fence. */
        String language() {
            String[] words = info.split("\\s+", 2);
            return words[0];
        }

        /** The line of the document the fence's last line is on (its closing fence, or the document's end). */
        int endLine() {
            return line + content.size() + (closed ? 1 : 0);
        }
    }

    /** A link found in the prose of a document. */
    record Link(int line, String target) {
    }

    /** The document's lines, {@code \r\n} or {@code \n} ended. */
    static List<String> lines(String document) {
        return List.of(document.split("\\r?\\n", -1));
    }

    /** The fenced code blocks of a document, in order. */
    static List<Fence> fences(List<String> lines) {
        List<Fence> fences = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            Matcher open = FENCE_OPEN.matcher(lines.get(i));
            if (!open.matches() || (open.group(2).charAt(0) == '`' && open.group(3).contains("`"))) {
                i++;
                continue;
            }
            int indent = open.group(1).length();
            char marker = open.group(2).charAt(0);
            int length = open.group(2).length();
            Pattern close = Pattern.compile("^[ \\t]*" + Pattern.quote(String.valueOf(marker)) + "{" + length
                    + ",}[ \\t]*$");
            List<String> content = new ArrayList<>();
            int j = i + 1;
            while (j < lines.size() && !close.matcher(lines.get(j)).matches()) {
                content.add(outdent(lines.get(j), indent));
                j++;
            }
            boolean closed = j < lines.size();
            fences.add(new Fence(i + 1, indent, open.group(3).trim(), closed, content));
            i = j + 1;
        }
        return fences;
    }

    private static String outdent(String line, int indent) {
        int n = 0;
        while (n < indent && n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return line.substring(n);
    }

    /** The document's lines with every fenced code block, fences included, made blank: line numbers are kept. */
    static List<String> prose(List<String> lines) {
        List<String> prose = new ArrayList<>(lines);
        for (Fence fence : fences(lines)) {
            for (int line = fence.line(); line <= Math.min(fence.endLine(), lines.size()); line++) {
                prose.set(line - 1, "");
            }
        }
        return prose;
    }

    /** The text with the content of every code span (and its backticks) replaced by {@code x}, newlines kept. */
    static String withoutCodeSpans(String text) {
        Matcher span = CODE_SPAN.matcher(text);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (span.find()) {
            out.append(text, last, span.start());
            for (int k = span.start(); k < span.end(); k++) {
                out.append(text.charAt(k) == '\n' ? '\n' : 'x');
            }
            last = span.end();
        }
        return out.append(text.substring(last)).toString();
    }

    /**
     * Every link target in the document's prose, outside fenced code blocks and code spans: inline links and
     * images, link reference definitions, and {@code href}/{@code src} attributes of HTML tags.
     */
    static List<Link> links(String document) {
        List<String> prose = prose(lines(document));
        List<Link> links = new ArrayList<>();
        int i = 0;
        while (i < prose.size()) {
            if (prose.get(i).isBlank()) {
                i++;
                continue;
            }
            int first = i;
            StringBuilder paragraph = new StringBuilder();
            while (i < prose.size() && !prose.get(i).isBlank()) {
                paragraph.append(prose.get(i)).append('\n');
                i++;
            }
            String text = withoutCodeSpans(paragraph.toString());
            for (Pattern pattern : List.of(INLINE_LINK, HTML_LINK)) {
                Matcher link = pattern.matcher(text);
                while (link.find()) {
                    links.add(new Link(first + 1 + newlinesBefore(text, link.start(1)), unbracket(link.group(1))));
                }
            }
            String[] paragraphLines = text.split("\n");
            for (int k = 0; k < paragraphLines.length; k++) {
                Matcher definition = REFERENCE_DEFINITION.matcher(paragraphLines[k]);
                if (definition.find()) {
                    links.add(new Link(first + 1 + k, unbracket(definition.group(1))));
                }
            }
        }
        links.sort((a, b) -> Integer.compare(a.line(), b.line()));
        return links;
    }

    private static int newlinesBefore(String text, int end) {
        int n = 0;
        for (int k = 0; k < end; k++) {
            if (text.charAt(k) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static String unbracket(String target) {
        return target.startsWith("<") && target.endsWith(">") ? target.substring(1, target.length() - 1) : target;
    }

    /**
     * The anchors GitHub gives the document's headings, in order (a repeated heading's slug numbered {@code -1},
     * {@code -2}, ...), and the {@code id}/{@code name} of its HTML anchors.
     */
    static List<String> anchors(String document) {
        List<String> prose = prose(lines(document));
        List<String> anchors = new ArrayList<>();
        Map<String, Integer> occurrences = new HashMap<>();
        for (int i = 0; i < prose.size(); i++) {
            String line = prose.get(i);
            Matcher atx = ATX_HEADING.matcher(line);
            String heading = null;
            if (atx.matches()) {
                heading = atx.group(1) == null ? "" : atx.group(1);
            } else if (i > 0 && SETEXT_UNDERLINE.matcher(line).matches() && isParagraphText(prose.get(i - 1))) {
                heading = prose.get(i - 1).trim();
            }
            if (heading != null) {
                anchors.add(unique(slug(heading), occurrences));
            }
            Matcher html = HTML_ANCHOR.matcher(withoutCodeSpans(line));
            while (html.find()) {
                anchors.add(html.group(1));
            }
        }
        return anchors;
    }

    private static boolean isParagraphText(String line) {
        String t = line.trim();
        return !t.isEmpty() && !ATX_HEADING.matcher(line).matches() && !t.startsWith(">") && !t.startsWith("|")
                && !t.matches("([-*+]|\\d+[.)])(\\s.*)?") && !SETEXT_UNDERLINE.matcher(line).matches()
                && !t.startsWith("<");
    }

    /** github-slugger's rule for repeats: the first {@code foo}, then {@code foo-1}, {@code foo-2}, ... */
    private static String unique(String slug, Map<String, Integer> occurrences) {
        String result = slug;
        while (occurrences.containsKey(result)) {
            int n = occurrences.merge(slug, 1, Integer::sum);
            result = slug + "-" + n;
        }
        occurrences.put(result, 0);
        return result;
    }

    /**
     * GitHub's anchor for a heading: the heading's text as rendered (links and images by their text, code spans by
     * their content, emphasis and HTML tags left out), lowercased, everything but letters, digits, spaces, hyphens
     * and underscores removed, and each space made a hyphen.
     */
    static String slug(String heading) {
        String text = heading.trim();
        text = text.replaceAll("!?\\[((?:[^\\[\\]]|\\[[^\\[\\]]*\\])*)\\]\\([^)]*\\)", "$1");
        text = text.replaceAll("\\[([^\\[\\]]*)\\]\\[[^\\]]*\\]", "$1");
        text = text.replaceAll("<[^>]+>", "");
        text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&nbsp;", " ");
        // underscores of emphasis (_word_, __word__) are not in the rendered text; those inside a word are
        text = text.replaceAll("(?<![\\p{L}\\p{Nd}])_+|_+(?![\\p{L}\\p{Nd}])", "");
        text = text.toLowerCase(Locale.ROOT);
        text = text.replaceAll("[^\\p{L}\\p{Nd}\\p{M} _-]", "");
        return text.replace(' ', '-');
    }

    /** {@code %XX} escapes decoded as UTF-8; a {@code +} stays a {@code +} (a path, not a form). */
    static String percentDecoded(String s) {
        if (!s.contains("%")) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 3;
            } else {
                int codePoint = s.codePointAt(i);
                byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i += Character.charCount(codePoint);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
