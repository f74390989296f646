package io.lifeline.containers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stock Tomcat 10.1 or 11: its own {@code conf/}, with the HTTP connector moved to a free loopback port and given
 * the attributes Lifeline needs ({@code encodedSolidusHandling="passthrough"} and
 * {@code encodedReverseSolidusHandling="passthrough"}), and the WAR as {@code ROOT.war}.
 * Optionally the connector speaks TLS instead, where no departure watch can read the socket.
 */
final class Tomcat extends Container {

    private final String homeProperty;
    private final Path keystore;
    private final String keystorePassword;
    private final String encodedSolidusHandling;
    private boolean http2;

    Tomcat(String homeProperty, Path base) throws IOException {
        this(homeProperty, base, null, null);
    }

    /** A Tomcat whose connector speaks TLS with this PKCS12 keystore. */
    Tomcat(String homeProperty, Path base, Path keystore, String keystorePassword) throws IOException {
        this(homeProperty, base, keystore, keystorePassword, "passthrough");
    }

    /**
     * @param encodedSolidusHandling the connector's {@code encodedSolidusHandling} and
     *                               {@code encodedReverseSolidusHandling}, or null to leave Tomcat's default (reject)
     */
    Tomcat(String homeProperty, Path base, Path keystore, String keystorePassword, String encodedSolidusHandling)
            throws IOException {
        super(property(homeProperty).getFileName().toString().replace("apache-tomcat-", "Tomcat ")
                + (keystore == null ? "" : " (TLS connector)"), base);
        this.homeProperty = homeProperty;
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
        this.encodedSolidusHandling = encodedSolidusHandling;
    }

    @Override
    String scheme() {
        return keystore == null ? "http" : "https";
    }

    /** Adds HTTP/2 to the connector (h2c, also with prior knowledge, or h2 through ALPN over TLS). */
    Tomcat withHttp2() {
        http2 = true;
        return this;
    }

    @Override
    void prepare(Path war) throws IOException {
        Path home = property(homeProperty);
        copyTree(home.resolve("conf"), base.resolve("conf"));
        for (String dir : List.of("webapps", "logs", "temp", "work")) {
            Files.createDirectories(base.resolve(dir));
        }
        Files.copy(war, base.resolve("webapps/ROOT.war"));
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
        // the recipe of docs/war.md: 4 KiB socket buffers per connection instead of 8 KiB each way
        String connector = "port=\"" + port + "\" address=\"" + host + "\" socket.appReadBufSize=\"4096\" "
                + "socket.appWriteBufSize=\"4096\" " + (encodedSolidusHandling == null ? ""
                : "encodedSolidusHandling=\"" + encodedSolidusHandling + "\" encodedReverseSolidusHandling=\""
                + encodedSolidusHandling + "\" ");
        if (keystore != null) {
            connector += "SSLEnabled=\"true\" scheme=\"https\" secure=\"true\" ";
        }
        String changed = xml.replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                .replaceFirst("port=\"8080\"\\s+protocol=\"HTTP/1.1\"",
                        connector + "protocol=\"org.apache.coyote.http11.Http11NioProtocol\"");
        String inside = (http2 ? "<UpgradeProtocol className=\"org.apache.coyote.http2.Http2Protocol\"/>" : "")
                + (keystore == null ? "" : "<SSLHostConfig><Certificate certificateKeystoreFile=\"" + keystore
                        + "\" certificateKeystorePassword=\"" + keystorePassword
                        + "\" certificateKeystoreType=\"PKCS12\"/></SSLHostConfig>");
        if (!inside.isEmpty()) {
            changed = changed.replaceFirst("redirectPort=\"8443\"\\s*(maxParameterCount=\"\\d+\")?\\s*/>",
                    ">" + inside + "</Connector>");
        }
        if (changed.equals(xml) || !changed.contains("address=\"" + host + "\"")) {
            throw new IllegalStateException("conf/server.xml of " + home + " is not the stock one this test edits");
        }
        Files.writeString(serverXml, changed, StandardCharsets.UTF_8);
    }

    @Override
    List<String> command() {
        Path home = property(homeProperty);
        List<String> command = new ArrayList<>(List.of(java()));
        for (String arg : jvmArgs) {
            command.addAll(List.of(arg.split(" ")));
        }
        command.addAll(List.of("-Dcatalina.home=" + home, "-Dcatalina.base=" + base,
                "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                "-Djava.util.logging.config.file=" + base.resolve("conf/logging.properties"),
                "-cp", home.resolve("bin/bootstrap.jar") + java.io.File.pathSeparator + home.resolve("bin/tomcat-juli.jar"),
                "org.apache.catalina.startup.Bootstrap", "start"));
        return command;
    }
}
