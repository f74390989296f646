package io.lifeline.protocol;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Random identifiers as URNs ({@code urn:uuid:} and a version 4 UUID, RFC 9562 section 5.4), for updates a publisher
 * leaves unnamed and for subscribers.
 *
 * <p>Each thread draws from a DRBG of its own (NIST SP 800-90Ar1, seeded once from the system): {@link
 * UUID#randomUUID()} and every {@code NativePRNG} share one reader of {@code /dev/urandom} behind one lock, and a burst
 * of connecting subscribers on a busy core queued behind it for tens of milliseconds at a time.</p>
 */
public final class RandomIds {

    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(RandomIds::generator);

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
        RANDOM.get().nextBytes(bytes);
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
