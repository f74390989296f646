package io.lifeline.auth;

/**
 * Lifeline's own claim, beside the protocol's {@code mercure} claim: {@code "lifeline": {"admin": true}} lets a
 * token see the hub's live view and run its F5 demonstration. It grants nothing the protocol defines; it is read
 * from tokens signed with the subscriber key ({@code java -jar lifeline-server.jar token --admin} makes one).
 */
public final class AdminClaim {

    /** The top-level claim's name: an object. */
    public static final String NAME = "lifeline";

    /** The member of {@link #NAME} that grants the live view when it is the JSON boolean {@code true}. */
    public static final String ADMIN = "admin";

    private AdminClaim() {
    }
}
