package io.lifeline.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.docs.ShellBlocks.Block;
import io.lifeline.docs.ShellBlocks.Document;
import io.lifeline.docs.ShellBlocks.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules {@link ReadmeIT} runs a document's {@code sh} blocks by, on Markdown written here: the markers, the
 * {@code # =>} expectations, the build prefix, and the commands a block may not hold. The integration test needs the
 * packaged program and minutes; these rules are checked in milliseconds.
 */
class ShellBlocksTest {

    @Test
    void anUnmarkedShellBlockFailsNamingTheFileAndTheLine() {
        Document doc = ShellBlocks.parse("doc.md", """
                # Title

                Some text.

                ```sh
                echo hello
                ```
                """);
        assertEquals(1, doc.problems().size(), doc.problems().toString());
        assertTrue(doc.problems().get(0).startsWith("doc.md:5: an sh block with no marker"), doc.problems().get(0));
        assertEquals(List.of(), doc.blocks());
    }

    @Test
    void theThreeMarkersAreReadFromTheNearestNonBlankLineAboveTheFence() {
        Document doc = ShellBlocks.parse("doc.md", """
                <!-- run -->
                ```sh
                echo one
                ```
                <!-- run: server -->

                ```sh
                java -jar target/lifeline-server.jar
                ```

                <!--   not run:  it downloads the internet  -->
                ```sh
                curl https://example.com/
                ```
                """);
        assertEquals(List.of(), doc.problems());
        assertEquals(List.of(new Block(2, Mode.RUN, "", "echo one"),
                new Block(7, Mode.SERVER, "", "java -jar target/lifeline-server.jar"),
                new Block(12, Mode.NOT_RUN, "it downloads the internet", "curl https://example.com/")),
                doc.blocks());
        assertEquals(2, doc.toRun().size());
    }

    @Test
    void aMarkerFartherUpThanTheNearestNonBlankLineDoesNotCount() {
        Document doc = ShellBlocks.parse("doc.md", """
                <!-- run -->
                Some text between.
                ```sh
                echo one
                ```
                """);
        assertEquals(1, doc.problems().size(), doc.problems().toString());
        assertTrue(doc.problems().get(0).startsWith("doc.md:3: an sh block with no marker"), doc.problems().get(0));
    }

    @Test
    void aNotRunMarkerNeedsAReasonAndAMisspeltMarkerIsNamed() {
        Document doc = ShellBlocks.parse("doc.md", """
                <!-- not run: -->
                ```sh
                echo one
                ```

                <!-- run: sever -->
                ```sh
                echo two
                ```
                """);
        assertEquals(2, doc.problems().size(), doc.problems().toString());
        assertTrue(doc.problems().get(0).startsWith("doc.md:2: <!-- not run: --> with no reason"),
                doc.problems().get(0));
        assertTrue(doc.problems().get(1).startsWith("doc.md:7: the marker <!-- run: sever --> is none of"),
                doc.problems().get(1));
    }

    @Test
    void otherFencesAreNotRunAndNeedNoMarkerButARunMarkerOnOneIsAMistake() {
        Document doc = ShellBlocks.parse("doc.md", """
                ```js
                new EventSource('/x');
                ```

                ```
                plain output
                ```

                ```text
                more output
                ```

                <!-- run -->
                ```bash
                echo not sh
                ```

                ````markdown
                ```sh
                echo an example inside an example
                ```
                ````
                """);
        assertEquals(List.of(), doc.blocks());
        assertEquals(List.of("doc.md:14: a run marker above a ```bash block: only ```sh blocks run"), doc.problems());
    }

    @Test
    void expectationsAreMatchedInOrderWithDotsStandingForAnythingWithinALine() {
        Block block = ShellBlocks.parse("doc.md", """
                <!-- run -->
                ```sh
                curl -s http://127.0.0.1:8080/x
                # => id: urn:lifeline:position:...
                # => data: {"title":"Hi"}
                ```
                """).blocks().get(0);
        List<String> expected = block.expectations();
        assertEquals(List.of("id: urn:lifeline:position:...", "data: {\"title\":\"Hi\"}"), expected);

        assertNull(ShellBlocks.unmet(expected, ":\n\nid: urn:lifeline:position:17-3\ndata: {\"title\":\"Hi\"}\n"));
        assertNull(ShellBlocks.unmet(List.of("a...c", "a...c"), "abc\nac\n"), "each found after the one before");
        String outOfOrder = ShellBlocks.unmet(expected, "data: {\"title\":\"Hi\"}\nid: urn:lifeline:position:1-1\n");
        assertNotNull(outOfOrder);
        assertTrue(outOfOrder.contains("  found      id: urn:lifeline:position:...\n"
                + "  NOT FOUND  data: {\"title\":\"Hi\"}\n"), outOfOrder);
        assertTrue(outOfOrder.contains("actual output:\ndata: {\"title\":\"Hi\"}\nid: urn:lifeline:position:1-1"),
                outOfOrder);
        assertNotNull(ShellBlocks.unmet(List.of("a...c"), "ab\nc\n"), "... stays within one line");
        assertNotNull(ShellBlocks.unmet(List.of("a.c"), "abc\n"), "a dot alone is a dot");
        assertNull(ShellBlocks.unmet(List.of("(port 8080) [x]*"), "ready (port 8080) [x]* now\n"),
                "the rest is literal text");
    }

    @Test
    void theBuildPrefixIsRemovedAndEveryOtherMvnIsRefused() {
        Document doc = ShellBlocks.parse("doc.md", """
                <!-- run: server -->
                ```sh
                mvn -q -B package -DskipTests && java -jar target/lifeline-server.jar --port 8080
                ```

                <!-- run -->
                ```sh
                mvn -B package -DskipTests && java -jar target/lifeline-server.jar token
                ```

                <!-- run -->
                ```sh
                echo build
                mvn -q -B package -DskipTests   # the build
                ```

                <!-- not run: it is the test command itself -->
                ```sh
                mvn -B verify
                ```
                """);
        assertEquals(2, doc.problems().size(), doc.problems().toString());
        assertTrue(doc.problems().get(0).startsWith("doc.md:8: runs mvn (mvn -B package -DskipTests && java"),
                doc.problems().get(0));
        assertTrue(doc.problems().get(0).contains("mark it <!-- not run: reason -->"), doc.problems().get(0));
        assertTrue(doc.problems().get(1).startsWith("doc.md:14: runs mvn (mvn -q -B package -DskipTests"),
                doc.problems().get(1));
        assertEquals("java -jar target/lifeline-server.jar --port 41234 &", doc.blocks().get(0).script(41234),
                "prefix removed, port replaced, sent to the background");
    }

    @Test
    void aStreamingCurlWithoutMaxTimeIsRefusedWhereverItStands() {
        Document doc = ShellBlocks.parse("doc.md", """
                <!-- run -->
                ```sh
                curl -N http://127.0.0.1:8080/a
                curl -sgN -H 'X: y' \\
                  'http://127.0.0.1:8080/b' || true
                TOKEN=$(curl --no-buffer http://127.0.0.1:8080/c)
                echo "$(curl -s -N http://127.0.0.1:8080/d)"
                curl -N --max-time 2 http://127.0.0.1:8080/e &
                curl -sgN --max-time 2 http://127.0.0.1:8080/f 2>&1 | head
                curl -sN -m 2 http://127.0.0.1:8080/g
                curl -s http://127.0.0.1:8080/h    # -N in a comment is no option
                curl -s -H 'X-N: -N' -d 'a;curl -N' http://127.0.0.1:8080/i
                ```
                """);
        assertEquals(4, doc.problems().size(), String.join("\n", doc.problems()));
        assertTrue(doc.problems().get(0).contains("curl -N without --max-time (curl -N http://127.0.0.1:8080/a)"),
                doc.problems().get(0));
        assertTrue(doc.problems().get(1).contains("(curl -sgN -H X: y http://127.0.0.1:8080/b)"),
                doc.problems().get(1));
        assertTrue(doc.problems().get(2).contains("(curl --no-buffer http://127.0.0.1:8080/c)"),
                doc.problems().get(2));
        assertTrue(doc.problems().get(3).contains("(curl -s -N http://127.0.0.1:8080/d)"), doc.problems().get(3));
        assertEquals(List.of("doc.md:3", "doc.md:4", "doc.md:6", "doc.md:7"),
                doc.problems().stream().map(p -> p.substring(0, p.indexOf(": "))).toList(),
                "each names the line its curl starts on");
    }

    @Test
    void aServerBlockGoesToTheBackgroundUnlessItAlreadyDoes() {
        assertEquals("export A=1\njava -jar x.jar --port 8081 &\n# => Lifeline ready...",
                ShellBlocks.inBackground("export A=1\njava -jar x.jar --port 8081   # the hub\n"
                        + "# => Lifeline ready..."));
        assertEquals("java -jar x.jar &", ShellBlocks.inBackground("java -jar x.jar &"));
        assertEquals("java -jar x.jar &  # started", ShellBlocks.inBackground("java -jar x.jar &  # started"));
        assertEquals("a && b &", ShellBlocks.inBackground("a && b"));
        assertEquals("java \\\n  -jar x.jar &", ShellBlocks.inBackground("java \\\n  -jar x.jar"));
    }

    @Test
    void expectationsSayTheSessionsPortWhereTheDocumentSays8080() {
        Block block = new Block(1, Mode.RUN, "", "curl -s http://127.0.0.1:8080/\n# => port 8080, not 18080\n");
        assertEquals(List.of("port 41234, not 18080"), block.expectations(41234));
        assertEquals("curl -s http://127.0.0.1:41234/\n# => port 41234, not 18080\n", block.script(41234));
    }

    @Test
    void aCommentIsCutAtAnUnquotedHashAtAWordsStart() {
        assertEquals("echo a ", ShellBlocks.withoutComment("echo a # b"));
        assertEquals("echo 'a # b'", ShellBlocks.withoutComment("echo 'a # b'"));
        assertEquals("echo \"a # b\" ", ShellBlocks.withoutComment("echo \"a # b\" # c"));
        assertEquals("echo a#b", ShellBlocks.withoutComment("echo a#b"));
        assertFalse(ShellBlocks.withoutComment("# => x").contains("x"));
    }
}
