package io.lifeline.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.Locale;

/**
 * The header type that tells a Mercure 1.0 access token from a draft-07 token: {@code typ} {@code at+jwt}, or the
 * equivalent {@code application/at+jwt}, compared case-insensitively (RFC 7515, section 4.1.9; RFC 9068, section 4).
 */
public final class AccessTokenType {

    /** The media type an access token's {@code typ} names, without its {@code application/} prefix. */
    public static final String TYPE = "at+jwt";

    private static final ObjectMapper JSON = new ObjectMapper();

    private AccessTokenType() {
    }

    /** Whether a header's {@code typ} value names an access token. */
    public static boolean matches(String typ) {
        String type = typ.toLowerCase(Locale.ROOT);
        return type.equals(TYPE) || type.equals("application/" + TYPE);
    }

    /**
     * Whether a token declares itself an access token. Reads only its header, verifying nothing; a token whose header
     * cannot be read does not.
     */
    public static boolean declaredBy(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot > 4096) {
            return false;
        }
        try {
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(token.substring(0, dot)));
            JsonNode typ = header == null ? null : header.get("typ");
            return typ != null && typ.isTextual() && matches(typ.textValue());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
