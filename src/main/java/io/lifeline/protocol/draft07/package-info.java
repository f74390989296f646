/**
 * What only draft-07 of the Mercure protocol says about the wire: the {@code topic} parameters, its names for
 * reconnection ({@code lastEventID}, {@code Last-Event-ID}) and the JSON-LD documents of active subscriptions.
 *
 * <p>The text followed is draft-dunglas-mercure-07, the reference hub's {@code spec/mercure.md} at tag
 * {@code v0.24.2}. What both dialects share (updates, framing, forms) lives in {@code io.lifeline.protocol}.</p>
 */
package io.lifeline.protocol.draft07;
