package io.lifeline.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Where settings come from, highest precedence first: command-line flags, system properties, environment
 * variables, servlet context init-params.
 */
public final class ConfigSources {

    /** System properties Lifeline's build and tests set that are not settings. */
    private static final Set<String> INTERNAL_PROPERTIES = Set.of("lifeline.server.jar", "lifeline.war",
            "lifeline.jetty.config", "lifeline.it.jetty-home", "lifeline.it.tomcat10", "lifeline.it.tomcat11",
            "lifeline.jvm.exports", "lifeline.docs.write");

    /** A raw value and where it was found, so that an error can name exactly what the operator set. */
    public record Value(String raw, String origin) {
    }

    private record Layer(String label, Function<Setting, String> names, Function<String, String> lookup) {
    }

    private final List<Layer> layers;
    private final List<String> unknownNames;

    private ConfigSources(List<Layer> layers, List<String> unknownNames) {
        this.layers = List.copyOf(layers);
        this.unknownNames = List.copyOf(unknownNames);
    }

    /**
     * @param flags      parsed command-line flags (empty in a WAR)
     * @param properties system properties
     * @param env        the environment
     * @param initParams servlet context init-params by name (returns null when absent)
     */
    public static ConfigSources of(Map<Setting, String> flags, Properties properties, Map<String, String> env,
                                   Function<String, String> initParams) {
        List<Layer> layers = new ArrayList<>();
        layers.add(new Layer("flag", Setting::flagName, flagName -> {
            for (Map.Entry<Setting, String> e : flags.entrySet()) {
                if (e.getKey().flagName().equals(flagName)) {
                    return e.getValue();
                }
            }
            return null;
        }));
        layers.add(new Layer("system property", Setting::propertyName, properties::getProperty));
        layers.add(new Layer("environment variable", Setting::envName, env::get));
        layers.add(new Layer("init-param", Setting::propertyName, initParams));

        Set<String> known = new HashSet<>();
        for (Setting s : Setting.values()) {
            known.add(s.envName());
            known.add(s.propertyName());
        }
        List<String> unknown = new ArrayList<>();
        env.keySet().stream().filter(n -> n.startsWith("LIFELINE_") && !known.contains(n)).sorted()
                .forEach(n -> unknown.add("environment variable " + n));
        properties.stringPropertyNames().stream()
                .filter(n -> n.startsWith("lifeline.") && !known.contains(n) && !INTERNAL_PROPERTIES.contains(n))
                .sorted().forEach(n -> unknown.add("system property " + n));
        return new ConfigSources(layers, unknown);
    }

    /** Names that look like Lifeline settings but are none (a typo, most likely), to be warned about. */
    public List<String> unknownNames() {
        return unknownNames;
    }

    /** The first source that sets this setting, if any. */
    public Optional<Value> get(Setting setting) {
        for (Layer layer : layers) {
            String name = layer.names().apply(setting);
            String raw = layer.lookup().apply(name);
            if (raw != null) {
                return Optional.of(new Value(raw, layer.label() + " " + name));
            }
        }
        return Optional.empty();
    }
}
