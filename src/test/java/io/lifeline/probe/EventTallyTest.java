package io.lifeline.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Counting what a server wrote into an event stream, as an EventSource parses it. */
class EventTallyTest {

    @Test
    void blocksWithDataAreEventsAndTheirIdsAreKeptInOrder() {
        EventTally tally = new EventTally();
        feed(tally, "id: 1\ndata: a\n\ndata: no id\n\nid: 2\r\ndata: b\r\n\r\n", 1);

        assertEquals(3, tally.events());
        assertEquals(List.of("1", "2"), tally.eventIds());
    }

    @Test
    void whatComesWithTheFirstBytesIsTheOpeningNotAHeartbeat() {
        EventTally tally = new EventTally();
        feed(tally, ":\n\nid: cursor\n\n", 1_000);
        feed(tally, ":\n\n", 16_000_001_000L);
        feed(tally, ":hb\nevent: ping\n\n", 31_000_001_000L);

        assertEquals(0, tally.events());
        assertEquals(2, tally.heartbeats(), "a comment, and nchan's comment with an event field but no data");
        assertEquals(List.of(16_000_000_000L, 15_000_000_000L), tally.heartbeatGapsNanos());
        assertEquals(List.of(), tally.eventIds(), "an id-only block dispatches no event");
    }

    @Test
    void aBlockSplitAcrossReadsAndACrLfSplitAcrossReadsCountOnce() {
        EventTally tally = new EventTally();
        feed(tally, "id: 7\r", 1);
        feed(tally, "\ndata: x\r", 2);
        feed(tally, "\n\r", 3);
        feed(tally, "\n", 4);

        assertEquals(1, tally.events());
        assertEquals(List.of("7"), tally.eventIds());
        assertEquals(0, tally.heartbeats());
        assertEquals(18, tally.bytes());
    }

    @Test
    void theLongestSilenceCountsTheTimeSinceTheLastBlockAndALeadingByteOrderMarkIsDropped() {
        EventTally tally = new EventTally();
        byte[] opening = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, ':', '\n', '\n'};
        tally.feed(opening, opening.length, 1_000);
        feed(tally, "id: 1\ndata: a\n\n", 2_000_001_000L);
        feed(tally, "id: 2\ndata: b\n\n", 3_000_001_000L);

        assertEquals(2_000_000_000L, tally.longestSilenceNanos(4_000_001_000L));
        assertEquals(5_000_000_000L, tally.longestSilenceNanos(8_000_001_000L), "silent since the last event");
        assertEquals(0, tally.heartbeats(), "the opening comment, after the mark, is no heartbeat");
        assertEquals("2", tally.lastEventId());
    }

    @Test
    void retryIsKeptOnlyWhenItIsDigits() {
        EventTally tally = new EventTally();
        feed(tally, "retry: soon\n\n", 1);
        assertNull(tally.retry());
        feed(tally, "retry: 2500\n\n", 2);
        assertEquals(2500L, tally.retry());
    }

    private static void feed(EventTally tally, String text, long nanos) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        tally.feed(bytes, bytes.length, nanos);
    }
}
