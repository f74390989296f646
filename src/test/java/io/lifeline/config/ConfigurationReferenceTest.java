package io.lifeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference, {@code docs/configuration.md}, holds the table of settings as
 * {@link ConfigurationReference} renders it from {@link Setting}: a setting added, or a text changed, in the code
 * fails this test until the document is rewritten, which this test does with {@code -Dlifeline.docs.write=true}.
 */
class ConfigurationReferenceTest {

    private static final Path DOCUMENT = Path.of(System.getProperty("basedir", ""), "docs", "configuration.md");
    /** The system property that makes this test rewrite the document's block instead of failing. */
    private static final String WRITE = "lifeline.docs.write";
    /** A Markdown link's target. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)]*)\\)");
    private static final String REWRITE = "mvn -B test -Dtest=ConfigurationReferenceTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -D" + WRITE + "=true";

    @Test
    void theDocumentHoldsTheTableAsTheCodeRendersIt() throws IOException {
        assertEquals(ConfigurationReference.render(), ConfigurationReference.block(document()), "docs/configuration.md "
                + "differs from io.lifeline.config.Setting between its generated lines; rewrite it with: " + REWRITE);
    }

    @Test
    void everySettingAppearsInTheDocumentExactlyOnce() throws IOException {
        String block = ConfigurationReference.block(document());
        int rows = 0;
        for (Setting s : Setting.values()) {
            String row = "\n| " + ConfigurationReference.row(s) + " |";
            int count = occurrences(block, row);
            assertEquals(1, count, s.envName() + "'s rows in docs/configuration.md (rewrite it with: " + REWRITE + ")");
            rows += count;
        }
        assertEquals(Setting.values().length, rows);
        assertEquals(rows, occurrences(block, "\n| `LIFELINE_"),
                "rows for settings that are none (rewrite the document with: " + REWRITE + ")");
    }

    @Test
    void everySettingHasAUnitADefaultInWordsAndAReferenceText() {
        for (Setting s : Setting.values()) {
            assertNotNull(s.unit(), s.envName());
            assertFalse(s.unit().label().isBlank(), s.envName());
            assertFalse(s.unit().howToWrite().isBlank(), s.envName());
            assertOneLine(s, "default in words", s.defaultInWords());
            assertOneLine(s, "reference text", s.reference());
            assertOneLine(s, "description", s.description());
        }
    }

    @Test
    void theReferenceLinksIntoDocsOnly() {
        for (Setting s : Setting.values()) {
            Matcher link = LINK.matcher(s.reference());
            while (link.find()) {
                assertTrue(link.group(1).matches("[a-z0-9.-]+\\.md(#[a-z0-9-]+)?|#[a-z0-9-]+"), s.envName()
                        + " links to " + link.group(1) + ": a link is relative to docs/, e.g. api.md#refusals");
            }
        }
    }

    private static void assertOneLine(Setting s, String what, String text) {
        assertNotNull(text, s.envName() + " has no " + what);
        assertFalse(text.isBlank(), s.envName() + " has no " + what);
        assertFalse(text.contains("\n") || text.contains("\r"), s.envName() + "'s " + what + " is not one line");
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    /** The document, its generated block rewritten first where {@value #WRITE} is true and the block differs. */
    private static String document() throws IOException {
        if (!Files.isRegularFile(DOCUMENT)) {
            fail(DOCUMENT + " is missing: it holds the configuration reference, with the lines "
                    + ConfigurationReference.BEGIN + " and " + ConfigurationReference.END);
        }
        String document = Files.readString(DOCUMENT);
        String rendered = ConfigurationReference.render();
        if (Boolean.getBoolean(WRITE) && !ConfigurationReference.block(document).equals(rendered)) {
            document = ConfigurationReference.withBlock(document, rendered);
            Files.writeString(DOCUMENT, document);
        }
        return document;
    }
}
