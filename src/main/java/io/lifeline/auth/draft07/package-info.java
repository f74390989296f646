/**
 * Draft-07 tokens: a JWS with a {@code mercure} claim, verified with one pinned algorithm per key (java-jwt).
 *
 * <p>The text followed is draft-dunglas-mercure-07, section "Authorization", at the reference hub's tag
 * {@code v0.24.2}. Its grants become the one model both dialects share, {@code io.lifeline.auth.Claims}.</p>
 */
package io.lifeline.auth.draft07;
