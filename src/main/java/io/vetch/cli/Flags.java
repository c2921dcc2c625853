package io.vetch.cli;

import io.vetch.cli.FlagTable.Flag;
import io.vetch.server.config.ServerConfig;
import io.vetch.server.config.Setting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Turns a command line, the ETCD_* environment and an optional --config-file into a
 * {@link Command}, as etcd's etcdmain does.
 *
 * <p>Syntax is Go's flag package: {@code --flag value}, {@code --flag=value}, {@code -flag value},
 * {@code -flag=value}; boolean flags (--help, -h, --version) take no separate value; {@code --}
 * ends the flags and no positional arguments are accepted. A repeated flag keeps its last value.
 * Precedence, lowest first: defaults, environment variables, command-line flags, config file.
 * Stateless; safe from any thread.
 */
public final class Flags {
  private Flags() {}

  /** A raw value and where it came from, for error messages. */
  private record Value(String raw, String origin) {}

  /** Parses; throws FlagException whose exit code is 2 for usage errors, 1 for failed verification. */
  public static Command parse(String[] args, Map<String, String> env) throws FlagException {
    Map<String, Value> values = new LinkedHashMap<>();
    boolean version = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        if (i + 1 < args.length) throw positional(args[i + 1]);
        break;
      }
      if (arg.length() < 2 || arg.charAt(0) != '-') throw positional(arg);
      String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
      if (body.isEmpty() || body.startsWith("-") || body.startsWith("=")) {
        throw new FlagException(FlagException.USAGE, "bad flag syntax: " + arg);
      }
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      Flag flag = FlagTable.find(name)
          .orElseThrow(() -> new FlagException(FlagException.USAGE, "unknown flag --" + name));
      if (flag.isBool() && flag.setter() != null) {
        boolean on = parseBool(flag, eq < 0 ? "true" : body.substring(eq + 1));
        values.put(name, new Value(Boolean.toString(on), "flag --" + name));
        continue;
      }
      if (flag.isBool()) {
        if (!parseBool(flag, eq < 0 ? "true" : body.substring(eq + 1))) continue;
        if (!name.equals("version")) return new Command.Help();
        version = true;
        continue;
      }
      String raw;
      if (eq >= 0) {
        raw = body.substring(eq + 1);
      } else if (i + 1 < args.length) {
        raw = args[++i];
      } else {
        throw new FlagException(FlagException.USAGE, "flag needs an argument: --" + name);
      }
      values.put(name, new Value(raw, "flag --" + name));
    }
    if (version) return new Command.Version();

    List<String> warnings = new ArrayList<>();
    readEnv(env, values, warnings);
    Value configFile = values.remove("config-file");
    if (configFile != null && !configFile.raw().isEmpty()) {
      readConfigFile(Path.of(configFile.raw()), values, warnings);
    }
    return new Command.Serve(build(values, warnings), warnings);
  }

  /** The --help text. */
  public static String usage() {
    return FlagTable.usage();
  }

  private static void readEnv(Map<String, String> env, Map<String, Value> values, List<String> warnings) {
    TreeSet<String> known = new TreeSet<>();
    for (Flag f : FlagTable.ALL) {
      if (f.isBool() && f.setter() == null) continue; // --help, --version
      known.add(f.envName());
      String v = env.get(f.envName());
      if (v == null) continue;
      if (values.containsKey(f.name())) {
        warnings.add("recognized environment variable " + f.envName() + ", but unused: shadowed by corresponding flag");
      } else {
        values.put(f.name(), new Value(v, "environment variable " + f.envName()));
      }
    }
    new TreeSet<>(env.keySet()).stream()
        .filter(k -> k.startsWith("ETCD_") && !known.contains(k))
        .forEach(k -> warnings.add("unrecognized environment variable " + k));
  }

  /**
   * The file's keys replace flags and environment variables, also those that spell a renamed setting the other way
   * (a file's corrupt-check-time replaces --experimental-corrupt-check-time).
   */
  private static void readConfigFile(Path file, Map<String, Value> values, List<String> warnings)
      throws FlagException {
    Map<String, Value> fromFile = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : ConfigFile.read(file).entrySet()) {
      String key = e.getKey();
      Optional<Flag> flag = FlagTable.find(key).filter(f -> f.setter() != null);
      if (flag.isEmpty()) {
        warnings.add("ignoring unsupported key '" + key + "' in --config-file " + file);
      } else if (!e.getValue().isEmpty()) {
        fromFile.put(key, new Value(e.getValue(), "key '" + key + "' in --config-file " + file));
      }
    }
    fromFile.keySet().forEach(k -> FlagTable.otherSpelling(k).ifPresent(values::remove));
    values.putAll(fromFile);
  }

  private static ServerConfig build(Map<String, Value> values, List<String> warnings) throws FlagException {
    ServerConfig.Builder b = ServerConfig.builder();
    for (Flag f : FlagTable.ALL) {
      Value v = values.get(f.name());
      if (v == null || f.setter() == null) continue;
      try {
        f.setter().apply(b, v.raw());
      } catch (IllegalArgumentException e) {
        throw new FlagException(FlagException.USAGE,
            "invalid value \"" + v.raw() + "\" for " + v.origin() + ": " + e.getMessage());
      }
    }
    checkDeprecated(values, warnings);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new FlagException(FlagException.INVALID_CONFIG, "failed to verify flags: " + e.getMessage());
    }
  }

  /**
   * etcd 3.6 on its deprecated 3.5 names: a warning for each one set, an error (exit 1) when the setting is also
   * given under its new name. Runs after the setters, so every value here is valid.
   */
  private static void checkDeprecated(Map<String, Value> values, List<String> warnings) throws FlagException {
    for (Flag f : FlagTable.ALL) {
      Value old = values.get(f.name());
      if (f.replacedBy() == null || old == null) continue;
      if (f.gate() != null) {
        Value gates = values.get("feature-gates");
        Boolean gate = gates == null ? null : FeatureGates.parse(gates.raw()).get(f.gate());
        if (gate != null) {
          String both = "--feature-gates=" + f.gate() + "=" + gate;
          throw new FlagException(FlagException.INVALID_CONFIG, "failed to verify flags: cannot specify both flags: --"
              + f.name() + "=" + parseBool(f, old.raw()) + " and " + both + " at the same time, please just use " + both);
        }
      } else if (values.containsKey(f.replacedBy())) {
        throw new FlagException(FlagException.INVALID_CONFIG, "failed to verify flags: cannot set --" + f.name()
            + " and --" + f.replacedBy() + " at the same time, please use --" + f.replacedBy() + " only");
      }
      warnings.add(f.deprecationWarning());
    }
  }

  private static boolean parseBool(Flag flag, String v) throws FlagException {
    Boolean b = Setting.goBool(v);
    if (b == null) {
      throw new FlagException(FlagException.USAGE, "invalid boolean value \"" + v + "\" for flag --" + flag.name());
    }
    return b;
  }

  private static FlagException positional(String arg) {
    return new FlagException(FlagException.USAGE, "'" + arg + "' is not a valid flag");
  }
}
