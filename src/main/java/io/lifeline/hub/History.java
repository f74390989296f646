package io.lifeline.hub;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The last updates published, kept so that a subscriber reconnecting with {@code Last-Event-ID} misses nothing the
 * hub still holds. Bounded by count and bytes; the oldest go first.
 *
 * <p>The hub's own subscription events are kept in a ring of their own, with the same bounds, so that a burst of
 * clients coming and going never pushes publishers' updates out. Replays merge both rings in publication order.</p>
 *
 * <p>Not thread-safe: the transport calls it under its lock, in publication order.</p>
 */
final class History {

    /** What a reconnecting subscriber gets. */
    record Replay(boolean found, List<Published> updates) {
    }

    private final int maxSize;
    private final long maxBytes;
    private final Ring updates = new Ring();
    private final Ring hubEvents = new Ring();
    private final Map<String, Long> sequenceById = new HashMap<>();

    History(int maxSize, long maxBytes) {
        this.maxSize = maxSize;
        this.maxBytes = maxBytes;
    }

    void add(Published published) {
        if (maxSize == 0) {
            return;
        }
        Ring ring = published.hubEvent() ? hubEvents : updates;
        ring.entries.addLast(published);
        ring.bytes += published.frame().size();
        sequenceById.put(published.update().id(), published.sequence());
        while (ring.entries.size() > maxSize || ring.bytes > maxBytes && ring.entries.size() > 1) {
            Published evicted = ring.entries.removeFirst();
            ring.bytes -= evicted.frame().size();
            sequenceById.remove(evicted.update().id(), evicted.sequence());
        }
    }

    /**
     * Everything published after the update with this id, in order; everything held when the id is {@code earliest}
     * or unknown (never published, or already evicted), with {@code found} false.
     */
    Replay after(String lastEventId) {
        Long sequence = sequenceById.get(lastEventId);
        long after = sequence == null ? -1 : sequence;
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
        return new Replay(sequence != null, merged);
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
