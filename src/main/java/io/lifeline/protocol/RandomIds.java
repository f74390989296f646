package io.lifeline.protocol;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Random identifiers as URNs ({@code urn:uuid:} and a version 4 UUID, RFC 9562 section 5.4), for updates a publisher
 * leaves unnamed and for subscribers: unique and unguessable, 122 random bits each.
 *
 * <p>They are drawn from a few DRBGs (NIST SP 800-90Ar1) made once, when the class loads, each seeded from the
 * system, a thread taking the one its id picks. {@link UUID#randomUUID()} and every {@code NativePRNG} share one
 * reader of {@code /dev/urandom} behind one lock, and a burst of connecting subscribers on a busy core queued behind
 * it for tens of milliseconds at a time; a DRBG per thread instead seeded itself as the HTTP pool grew, behind a lock
 * of its own, in the middle of such a burst. A DRBG serves concurrent callers itself; with a few, two threads seldom
 * share one.</p>
 */
public final class RandomIds {

    private static final SecureRandom[] GENERATORS = new SecureRandom[Math.max(4,
            2 * Runtime.getRuntime().availableProcessors())];

    static {
        for (int i = 0; i < GENERATORS.length; i++) {
            GENERATORS[i] = generator();
        }
    }

    private RandomIds() {
    }

    private static SecureRandom generator() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom(); // every JDK since 9 has DRBG
        }
    }

    /** A new {@code urn:uuid:} identifier, 122 random bits. */
    public static String urn() {
        byte[] bytes = new byte[16];
        GENERATORS[(int) (Thread.currentThread().getId() % GENERATORS.length)].nextBytes(bytes);
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40); // version 4
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80); // the RFC's variant
        long most = 0;
        long least = 0;
        for (int i = 0; i < 8; i++) {
            most = (most << 8) | (bytes[i] & 0xff);
            least = (least << 8) | (bytes[8 + i] & 0xff);
        }
        return "urn:uuid:" + new UUID(most, least);
    }
}
