package io.lifeline.containers;

import io.lifeline.watch.tomcat.TomcatNioWatch;
import java.io.IOException;
import java.nio.file.Path;

/** The WAR as ROOT.war in a stock Tomcat 10.1, NIO connector. */
class Tomcat10IT extends ContainerMatrix {

    @Override
    Container container(Path base) throws IOException {
        return new Tomcat("lifeline.it.tomcat10", base);
    }

    @Override
    String expectedWatch() {
        return TomcatNioWatch.KIND;
    }

    @Override
    String reportName() {
        return "tomcat-10.1";
    }
}
