package io.lifeline.live;

import java.time.Instant;
import java.util.List;

/**
 * One subscriber's end as the live view shows it.
 *
 * @param at             when everything it held was released
 * @param releaseMicros  from the moment the hub noticed the end (the watch saw the FIN or RST, a write failed, a
 *                       deadline fired) to the moment everything was released, in microseconds
 * @param durationMillis how long it was connected, in milliseconds
 * @param updates        updates written to it
 * @param viewer         whether it was a viewer of the live view, not a subscriber of the hub
 */
public record DepartureRow(String id, List<String> topics, String reason, String watch, String remote, Instant at,
                        long releaseMicros, long durationMillis, long updates, boolean viewer) {
}
