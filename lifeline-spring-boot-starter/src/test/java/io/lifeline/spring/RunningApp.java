package io.lifeline.spring;

import io.lifeline.spring.sample.EmittersApplication;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A Spring Boot application started for a test on a free loopback port, in the embedded container asked for. */
final class RunningApp implements AutoCloseable {

    /** The embedded servlet containers Spring Boot offers. */
    enum Container { TOMCAT, JETTY }

    @Configuration(proxyBeanMethods = false)
    static class OnTomcat {
        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OnJetty {
        @Bean
        JettyServletWebServerFactory jetty() {
            return new JettyServletWebServerFactory();
        }
    }

    private final ConfigurableApplicationContext context;

    private RunningApp(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /**
     * @param application the application's configuration class
     * @param properties  more properties, {@code name=value}
     */
    static RunningApp start(Class<?> application, Container container, String... properties) {
        List<String> all = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
                "spring.main.banner-mode=off", "server.shutdown=immediate"));
        all.addAll(List.of(properties));
        return new RunningApp(new SpringApplicationBuilder(application,
                container == Container.TOMCAT ? OnTomcat.class : OnJetty.class)
                .properties(all.toArray(String[]::new)).run());
    }

    /** The emitters application, with no MCP server beside it (its starter is on the tests' class path too). */
    static RunningApp emitters(Container container, String... properties) {
        String[] all = new String[properties.length + 1];
        all[0] = "spring.ai.mcp.server.enabled=false";
        System.arraycopy(properties, 0, all, 1, properties.length);
        return start(EmittersApplication.class, container, all);
    }

    int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    <T> T bean(String name, Class<T> type) {
        return context.getBean(name, type);
    }

    @Override
    public void close() {
        context.close();
    }
}
