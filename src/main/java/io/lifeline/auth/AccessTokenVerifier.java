package io.lifeline.auth;

import io.lifeline.protocol.ProtocolException;

/** Verifies Mercure 1.0 access tokens (those {@link AccessTokenType#declaredBy} declares so). */
public interface AccessTokenVerifier {

    /**
     * @return what the token grants
     * @throws ProtocolException 401 {@code invalid_token} with the reason, or another status where the hub, not the
     *                           token, is at fault
     */
    Claims verify(String token) throws ProtocolException;
}
