package io.lifeline.hub;

import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Frame;

/**
 * An update with its place in the hub's order and its bytes on the wire, encoded once for every subscriber and
 * every replay.
 *
 * @param sequence  its position in the order of everything published
 * @param hubEvent  whether the hub published it (a subscription event) rather than a publisher
 */
record Published(long sequence, Update update, Frame frame, boolean hubEvent) {
}
