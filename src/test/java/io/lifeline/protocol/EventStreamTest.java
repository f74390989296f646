package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The text/event-stream encoding, and the form fields it is built from. */
class EventStreamTest {

    private static String encode(String data) {
        return new String(EventStream.encode(new Update("u1", List.of("t"), data, null, OptionalLong.empty(), false)),
                StandardCharsets.UTF_8);
    }

    @Test
    void crLfAndCrLfAllEndALine() {
        assertEquals("id: u1\ndata: a\ndata: b\ndata: c\ndata: d\n\n", encode("a\nb\r\nc\rd"));
    }

    @Test
    void emptyDataStillMakesOneDataLine() {
        assertEquals("id: u1\ndata: \n\n", encode(""));
    }

    @Test
    void trailingAndDoubleLineBreaksKeepTheirEmptyLines() {
        assertEquals("id: u1\ndata: a\ndata: \ndata: \n\n", encode("a\n\n"));
        assertEquals("id: u1\ndata: \ndata: \n\n", encode("\r\n"));
    }

    @Test
    void anyMixOfLineBreaksSplitsAsEventSourceReadsIt() {
        assertEquals("id: u1\ndata: a\ndata: \ndata: b\ndata: \ndata: c\n\n", encode("a\n\rb\r\r\nc"));
        Random random = new Random(7);
        char[] alphabet = {'a', 'é', '\r', '\n'};
        for (int i = 0; i < 2_000; i++) {
            StringBuilder data = new StringBuilder();
            for (int j = random.nextInt(12); j > 0; j--) {
                data.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String text = data.toString();
            assertEquals("id: u1\n" + linesOf(text) + "\n", encode(text), () -> "data " + text.replace("\r", "CR")
                    .replace("\n", "LF"));
        }
    }

    /** The data lines of a text, split on CR, LF and CRLF one character at a time, as EventSource reads a stream. */
    private static String linesOf(String text) {
        StringBuilder lines = new StringBuilder("data: ");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                lines.append("\ndata: ");
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
            } else {
                lines.append(c);
            }
        }
        return lines.append('\n').toString();
    }

    @Test
    void typeAndRetryComeBeforeIdAndData() {
        String event = new String(EventStream.encode(new Update("u2", List.of("t"), "x", "book",
                OptionalLong.of(1500), false)), StandardCharsets.UTF_8);
        assertEquals("event: book\nretry: 1500\nid: u2\ndata: x\n\n", event);
    }

    @Test
    void formFieldsAreDecodedAsUtf8WithPlusAsSpace() throws ProtocolException {
        FormBody form = FormBody.parse("topic=a+b&topic=%E4%B8%96&data=x%3Dy%26z&private".getBytes(StandardCharsets.US_ASCII));
        assertEquals(List.of("a b", "世"), form.all("topic"));
        assertEquals("x=y&z", form.first("data"));
        assertTrue(form.has("private"));
        assertEquals("", form.first("private"));
    }

    @Test
    void malformedEscapesAreRefusedNotReplaced() {
        assertThrows(ProtocolException.class, () -> FormBody.parse("data=%4".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(ProtocolException.class, () -> FormBody.parse("data=%zz".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(ProtocolException.class, () -> FormBody.parse("data=%FF".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void anUpdateFormWithoutIdGetsAUrnUuid() throws ProtocolException {
        Update u = UpdateForm.read(FormBody.parse("topic=t&data=x".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(u.id().startsWith("urn:uuid:"), u.id());
        assertEquals(List.of("t"), u.topics());
    }

    @Test
    void anIdCanHoldAnythingButCrLfAndNulAndMayBeEmpty() {
        assertTrue(EventStream.canBeId("urn:uuid:5c0e"));
        assertTrue(EventStream.canBeId("世界 \t #x"));
        assertTrue(EventStream.canBeId(""), "an empty id resets the client's last event id");
        for (String bad : List.of("a\rb", "a\nb", "a\0b", "\r\n")) {
            assertFalse(EventStream.canBeId(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> EventStream.cursor(bad, -1));
        }
        assertThrows(IllegalArgumentException.class, () -> EventStream.cursor("", -1), "a cursor is never empty");
    }
}
