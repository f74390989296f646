package io.lifeline.hub;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The last updates published, kept so that a subscriber reconnecting with {@code Last-Event-ID} misses nothing the
 * hub still holds. Bounded by count and bytes; the oldest go first.
 *
 * <p>The hub's own subscription events are kept in a ring of their own, with the same bounds, so that a burst of
 * clients coming and going never pushes publishers' updates out. Replays merge both rings in publication order. A
 * subscription event's id is its {@link Position} ({@link #positionId}), so it is found by position, not by id, and
 * it counts in bytes as its estimate until someone reads it ({@link Published#bytes}).</p>
 *
 * <p>A reconnection names where it resumes in one of two ways. An update's id: when a publisher reused it, the replay
 * follows its <em>earliest</em> copy still held, so that nothing published after that copy is skipped (a publisher
 * retrying a publish that timed out sends the same id twice; the reference hub resumes the same way). Or one of the
 * hub's {@link Position}s, which it hands every client as a cursor: it is held as long as no publisher's update after
 * it has been evicted. Subscription events evicted after it are not waited for, as they are not for an id.</p>
 *
 * <p>Not thread-safe: the transport calls it under its lock, in publication order.</p>
 */
final class History {

    /** What a reconnecting subscriber gets. */
    record Replay(boolean found, List<Published> updates) {
    }

    private final int maxSize;
    private final long maxBytes;
    private final String epoch = newEpoch();
    private final Ring updates = new Ring();
    private final Ring hubEvents = new Ring();
    /** The sequence of the earliest held copy of each id. */
    private final Map<String, Long> earliestById = new HashMap<>();
    /** Ids held more than once, with the number of copies beyond the first. */
    private final Map<String, Integer> laterCopies = new HashMap<>();
    /** The sequence of the last update published. */
    private long lastSequence;
    /** The sequence of the newest publisher's update no longer held; 0 while none has gone. */
    private long evictedUpTo;

    History(int maxSize, long maxBytes) {
        this.maxSize = maxSize;
        this.maxBytes = maxBytes;
    }

    private static String newEpoch() {
        byte[] bytes = new byte[6];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    void add(Published published) {
        lastSequence = published.sequence();
        if (maxSize == 0) {
            if (!published.hubEvent()) {
                evictedUpTo = published.sequence();
            }
            return;
        }
        Ring ring = published.hubEvent() ? hubEvents : updates;
        ring.entries.addLast(published);
        ring.bytes += published.bytes();
        if (!published.hubEvent() && earliestById.putIfAbsent(published.update().id(), published.sequence()) != null) {
            laterCopies.merge(published.update().id(), 1, Integer::sum);
        }
        while (ring.entries.size() > maxSize || ring.bytes > maxBytes && ring.entries.size() > 1) {
            Published evicted = ring.entries.removeFirst();
            ring.bytes -= evicted.bytes();
            if (!evicted.hubEvent()) {
                evictedUpTo = evicted.sequence();
                forget(evicted);
            }
        }
    }

    /** Drops an evicted copy from the index; when it was the earliest, the next copy held becomes the earliest. */
    private void forget(Published evicted) {
        String id = evicted.update().id();
        boolean wasEarliest = earliestById.remove(id, evicted.sequence());
        Integer more = laterCopies.get(id);
        if (more == null) {
            return;
        }
        if (more == 1) {
            laterCopies.remove(id);
        } else {
            laterCopies.put(id, more - 1);
        }
        if (wasEarliest) {
            earliestById.put(id, earliestHeld(id));
        }
    }

    private long earliestHeld(String id) {
        for (Published p : updates.entries) {
            if (p.update().id().equals(id)) {
                return p.sequence();
            }
        }
        return Long.MAX_VALUE;
    }

    /** The position right after the last update published: where a client that has seen everything resumes. */
    String position() {
        return positionId(lastSequence);
    }

    /** The position right after the update numbered {@code sequence}: the id of the hub's own events. */
    String positionId(long sequence) {
        return new Position(epoch, sequence).id();
    }

    /**
     * Everything published after the given position, or after the earliest held copy of the update with this id,
     * in order; everything held when the id is {@code earliest} or unknown (never published, already evicted, a
     * position of another process or one whose successors have been evicted), with {@code found} false.
     */
    Replay after(String lastEventId) {
        long after = -1;
        Position position = Position.parse(lastEventId);
        if (position != null) {
            if (position.epoch().equals(epoch) && position.sequence() >= evictedUpTo
                    && position.sequence() <= lastSequence) {
                after = position.sequence();
            }
        } else {
            after = earliestById.getOrDefault(lastEventId, -1L);
        }
        List<Published> merged = new ArrayList<>();
        Iterator<Published> a = updates.entries.iterator();
        Iterator<Published> b = hubEvents.entries.iterator();
        Published nextA = next(a, after);
        Published nextB = next(b, after);
        while (nextA != null || nextB != null) {
            if (nextB == null || nextA != null && nextA.sequence() < nextB.sequence()) {
                merged.add(nextA);
                nextA = a.hasNext() ? a.next() : null;
            } else {
                merged.add(nextB);
                nextB = b.hasNext() ? b.next() : null;
            }
        }
        return new Replay(after >= 0, merged);
    }

    private static Published next(Iterator<Published> it, long after) {
        while (it.hasNext()) {
            Published p = it.next();
            if (p.sequence() > after) {
                return p;
            }
        }
        return null;
    }

    private static final class Ring {
        final ArrayDeque<Published> entries = new ArrayDeque<>();
        long bytes;
    }
}
