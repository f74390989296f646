package io.lifeline.config;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The generated part of the configuration reference, {@code docs/configuration.md}: a section per
 * {@link Setting.Group}, each with a Markdown table of its settings (names, default, unit and reference text) in the
 * order {@code --help} lists them, then one of the units they use with how to write a value of each. The document holds it between {@link #BEGIN} and {@link #END}, each a line of its own.
 */
final class ConfigurationReference {

    /** The line before the generated block. */
    static final String BEGIN = "<!-- generated from io.lifeline.config.Setting: do not edit by hand; "
            + "ConfigurationReferenceTest checks it, -Dlifeline.docs.write=true rewrites it -->";
    /** The line after the generated block. */
    static final String END = "<!-- end of generated -->";

    private ConfigurationReference() {
    }

    /** The block as it belongs between the two lines: Markdown, each line ending with a line feed. */
    static String render() {
        StringBuilder sb = new StringBuilder();
        for (Setting.Group group : Setting.Group.values()) {
            sb.append("\n## ").append(group.title()).append("\n\n");
            sb.append(Character.toUpperCase(group.summary().charAt(0))).append(group.summary().substring(1))
                    .append(".\n\n");
            sb.append("| environment variable<br>flag<br>system property and init-param | default | unit "
                    + "| description |\n");
            sb.append("|---|---|---|---|\n");
            for (Setting s : Setting.values()) {
                if (s.group() == group) {
                    sb.append("| ").append(row(s)).append(" | ").append(cell(s.defaultInWords()))
                            .append(" | ").append(cell(s.unit().label()))
                            .append(" | ").append(cell(s.reference())).append(" |\n");
                }
            }
        }
        sb.append("\n## Units\n");
        sb.append("\nHow to write a value of each unit:\n\n");
        sb.append("| unit | how to write a value |\n");
        sb.append("|---|---|\n");
        Set<Setting.Unit> used = EnumSet.noneOf(Setting.Unit.class);
        Arrays.stream(Setting.values()).map(Setting::unit).forEach(used::add);
        for (Setting.Unit unit : used) {
            sb.append("| ").append(cell(unit.label())).append(" | ").append(cell(unit.howToWrite())).append(" |\n");
        }
        sb.append("\n");
        return sb.toString();
    }

    /** How a setting's row begins: {@code `LIFELINE_JWT_KEY`<br>`--jwt-key`<br>`lifeline.jwt.key`}. */
    static String row(Setting s) {
        return "`" + s.envName() + "`<br>`" + s.flagName() + "`<br>`" + s.propertyName() + "`";
    }

    /**
     * The generated block of a document: what lies between the line {@link #BEGIN} and the line {@link #END}.
     *
     * @throws IllegalArgumentException when the document lacks either line, or holds one twice
     */
    static String block(String document) {
        return document.substring(blockStart(document), blockEnd(document));
    }

    /** The document with its generated block replaced by {@code block}, everything else as it was. */
    static String withBlock(String document, String block) {
        return document.substring(0, blockStart(document)) + block + document.substring(blockEnd(document));
    }

    private static int blockStart(String document) {
        String line = BEGIN + "\n";
        int at = lineAt(document, line, 0);
        if (at < 0 || lineAt(document, line, at + 1) >= 0) {
            throw new IllegalArgumentException("the document must hold the line " + BEGIN + " once");
        }
        return at + line.length();
    }

    private static int blockEnd(String document) {
        int start = blockStart(document);
        int at = lineAt(document, END + "\n", start);
        if (at < 0 && document.endsWith("\n" + END)) {
            at = document.length() - END.length();
        }
        if (at < 0) {
            throw new IllegalArgumentException("the document must hold the line " + END + " after " + BEGIN);
        }
        return at;
    }

    /** Where {@code line} begins a line of the document at or after {@code from}, or -1. */
    private static int lineAt(String document, String line, int from) {
        for (int at = document.indexOf(line, from); at >= 0; at = document.indexOf(line, at + 1)) {
            if (at == 0 || document.charAt(at - 1) == '\n') {
                return at;
            }
        }
        return -1;
    }

    /** Text for one table cell: a pipe would end the cell, so it is escaped (in code spans too, as GFM reads them). */
    private static String cell(String markdown) {
        return markdown.replace("|", "\\|");
    }
}
