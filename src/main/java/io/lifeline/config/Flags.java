package io.lifeline.config;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Command-line flags of the embedded program: {@code --port 8080} or {@code --port=8080}, one per setting. */
public final class Flags {

    private Flags() {
    }

    public static Map<Setting, String> parse(String... args) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            Setting setting = byFlag(name);
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("flag " + name + " needs a value (" + setting.description() + ")");
                }
                value = args[++i];
            }
            if (flags.put(setting, value) != null) {
                throw new ConfigException("flag " + name + " is given twice");
            }
        }
        return flags;
    }

    private static Setting byFlag(String name) {
        for (Setting s : Setting.values()) {
            if (s.flagName().equals(name)) {
                return s;
            }
        }
        throw new ConfigException("unknown flag '" + name + "'; known flags: "
                + Arrays.stream(Setting.values()).map(Setting::flagName).collect(Collectors.joining(" ")));
    }
}
