package io.lifeline.config;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;

/**
 * A key tokens are verified with, and the one algorithm it verifies.
 *
 * <p>The algorithm belongs to the key, not to the token: an HS256 key verifies HS256 tokens only, an RS256 public
 * key RS256 tokens only. A public key can therefore never be used as an HMAC secret, the classic confusion that lets
 * anyone who knows a public key forge tokens; and a PEM key configured for HS256 stops start-up.</p>
 */
public record JwtKey(Algorithm algorithm, String secret, RSAPublicKey publicKey) {

    /** The algorithms a key may be configured for. */
    public enum Algorithm { HS256, RS256 }

    static JwtKey parse(String algorithmName, String algorithmOrigin, String material, String keyOrigin) {
        Algorithm algorithm;
        try {
            algorithm = Algorithm.valueOf(algorithmName.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(algorithmOrigin + " = '" + algorithmName + "' must be HS256 or RS256");
        }
        if (algorithm == Algorithm.HS256) {
            if (material.contains("-----BEGIN")) {
                throw new ConfigException(keyOrigin + " holds a PEM key but its algorithm is HS256: an RS256 public "
                        + "key is never an HMAC secret; set the algorithm to RS256");
            }
            return new JwtKey(algorithm, material, null);
        }
        return new JwtKey(algorithm, null, rsaPublicKey(material, keyOrigin));
    }

    /** The key's length in bytes, for HS256 keys. */
    int secretLength() {
        return secret == null ? Integer.MAX_VALUE : secret.getBytes(StandardCharsets.UTF_8).length;
    }

    private static RSAPublicKey rsaPublicKey(String pem, String origin) {
        if (pem.contains("BEGIN RSA PUBLIC KEY")) {
            throw new ConfigException(origin + " is a PKCS#1 RSA key; give it as an X.509 \"PUBLIC KEY\" "
                    + "(openssl rsa -RSAPublicKey_in -pubout)");
        }
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | java.security.GeneralSecurityException | ClassCastException e) {
            throw new ConfigException(origin + " is not an RSA public key in PEM (-----BEGIN PUBLIC KEY-----): "
                    + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return algorithm.name(); // never the key
    }
}
