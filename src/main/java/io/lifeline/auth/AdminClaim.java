package io.lifeline.auth;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Lifeline's own claim, beside the protocol's grants: {@code "lifeline": {"admin": true}} lets a token see the hub's
 * live view and run its F5 demonstration. It grants nothing the protocol defines.
 *
 * <p>It is read from a draft-07 token signed with the subscriber key ({@code java -jar lifeline-server.jar token
 * --admin} makes one) and from a Mercure 1.0 access token of a trusted issuer, where it is a private claim beside
 * {@code authorization_details} (RFC 9068, section 2.2 allows claims of the resource's own).</p>
 */
public final class AdminClaim {

    /** The top-level claim's name: an object. */
    public static final String NAME = "lifeline";

    /** The member of {@link #NAME} that grants the live view when it is the JSON boolean {@code true}. */
    public static final String ADMIN = "admin";

    private AdminClaim() {
    }

    /** Whether a verified token's claims (a JSON object) hold {@code "lifeline": {"admin": true}}, the boolean. */
    public static boolean grantedBy(JsonNode claims) {
        JsonNode lifeline = claims.get(NAME);
        return lifeline != null && lifeline.isObject() && lifeline.path(ADMIN).isBoolean()
                && lifeline.path(ADMIN).booleanValue();
    }

    /** The claim as JSON, for messages. */
    static String text() {
        return "{\"" + NAME + "\": {\"" + ADMIN + "\": true}}";
    }
}
