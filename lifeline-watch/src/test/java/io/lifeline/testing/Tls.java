package io.lifeline.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A throwaway keystore made by the JDK's keytool, and a client context that trusts it, for TLS tests. */
public final class Tls {

    public static final String PASSWORD = "lifeline-test";

    private Tls() {
    }

    /** A PKCS12 keystore with a fresh self-signed certificate for localhost and 127.0.0.1. */
    public static Path keystore(Path dir) throws IOException, InterruptedException {
        Path keystore = dir.resolve("lifeline-test.p12");
        Files.deleteIfExists(keystore);
        Process keytool = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "lifeline", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return keystore;
    }

    /**
     * The key and certificate of a {@link #keystore} as PEM files ({@code key.pem}, {@code cert.pem}) in
     * {@code dir}, for servers that read PEM (Redis).
     */
    public static Path[] pem(Path keystore, Path dir) throws IOException {
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(keystore)) {
                store.load(in, PASSWORD.toCharArray());
            }
            java.security.Key key = store.getKey("lifeline", PASSWORD.toCharArray());
            java.security.cert.Certificate cert = store.getCertificate("lifeline");
            java.util.Base64.Encoder base64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes());
            Path keyFile = dir.resolve("key.pem");
            Path certFile = dir.resolve("cert.pem");
            Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n" + base64.encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            Files.writeString(certFile, "-----BEGIN CERTIFICATE-----\n" + base64.encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            return new Path[] {keyFile, certFile};
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot read the test keystore", e);
        }
    }

    /** A client context that trusts any certificate: only for talking to the test's own server. */
    public static SSLContext trustingClient() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
