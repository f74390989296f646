package io.lifeline.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A stock jetty-home 12.1 with the Jetty base this repository ships in {@code jetty-config/base-ee10} or
 * {@code base-ee11}, exactly as the README tells an operator to use it.
 */
final class JettyHome extends Container {

    private final String environment;

    JettyHome(String environment, Path base) throws IOException {
        super(property("lifeline.it.jetty-home").getFileName() + " " + environment, base);
        this.environment = environment;
    }

    @Override
    void prepare(Path war) throws IOException {
        copyTree(property("lifeline.jetty.config").resolve("base-" + environment), base);
        Files.createDirectories(base.resolve("wars"));
        Files.copy(war, base.resolve("wars/lifeline.war"));
    }

    @Override
    List<String> command() {
        Path home = property("lifeline.it.jetty-home");
        return List.of(java(), "-jar", home.resolve("start.jar").toString(), "jetty.home=" + home,
                "jetty.base=" + base, "jetty.http.host=127.0.0.1", "jetty.http.port=" + port);
    }
}
