/**
 * Draft-08 access tokens: RFC 9068 {@code at+jwt} tokens of trusted issuers, verified against an allowlist of
 * algorithms with each issuer's own keys (Nimbus JOSE+JWT), and their {@code authorization_details}.
 *
 * <p>The text followed is draft-dunglas-mercure-08, section "Authorization", at the reference hub's tag
 * {@code v1.0.0-alpha.3}, which the documents call "Mercure 1.0". The package keeps the draft's own number, the
 * identifier of the text it follows. Its grants become the one model both dialects share,
 * {@code io.lifeline.auth.Claims}.</p>
 */
package io.lifeline.auth.draft08;
