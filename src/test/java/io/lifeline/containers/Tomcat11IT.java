package io.lifeline.containers;

import io.lifeline.watch.tomcat.TomcatNioWatch;
import java.io.IOException;
import java.nio.file.Path;

/** The WAR as ROOT.war in a stock Tomcat 11, NIO connector. */
class Tomcat11IT extends ContainerMatrix {

    @Override
    Container container(Path base) throws IOException {
        return new Tomcat("lifeline.it.tomcat11", base);
    }

    @Override
    String expectedWatch() {
        return TomcatNioWatch.KIND;
    }

    @Override
    String reportName() {
        return "tomcat-11";
    }
}
