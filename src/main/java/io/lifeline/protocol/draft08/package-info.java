/**
 * What only draft-08 of the Mercure protocol says about the wire: the {@code match} parameters, its names for
 * reconnection ({@code last_event_id}, {@code Mercure-Last-Event-ID}), plain JSON subscription events and the
 * protected resource metadata.
 *
 * <p>The text followed is draft-dunglas-mercure-08, the reference hub's {@code spec/mercure.md} at tag
 * {@code v1.0.0-alpha.3}, which the documents call "Mercure 1.0". The package keeps the draft's own number, the
 * identifier of the text it follows.</p>
 */
package io.lifeline.protocol.draft08;
