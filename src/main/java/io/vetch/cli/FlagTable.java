package io.vetch.cli;

import io.vetch.server.config.ServerConfig;
import io.vetch.server.config.Setting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flags vetch accepts: one per {@link Setting} (two for a setting etcd 3.6 renamed), plus --feature-gates,
 * --config-file, --version and --help. Also renders the --help text. Immutable, stateless.
 */
final class FlagTable {

  /** Applies a raw string value; throws IllegalArgumentException with the reason it is invalid. */
  @FunctionalInterface
  interface Setter {
    void apply(ServerConfig.Builder b, String value);
  }

  /**
   * One flag. {@code setter} is null for the flags that are not config (help, version, config-file).
   * {@code replacedBy} is null except for an etcd 3.5 name that etcd 3.6 deprecated: then it is the 3.6 flag
   * ("corrupt-check-time") or "feature-gates=Gate" for one that became a feature gate.
   */
  record Flag(String name, String section, String defaultText, String description, Setter setter, String replacedBy) {
    Flag(String name, String section, String defaultText, String description, Setter setter) {
      this(name, section, defaultText, description, setter, null);
    }

    /** This flag under its etcd 3.5 name {@code oldName}: same meaning, deprecated. */
    Flag renamedFrom(String oldName) {
      return new Flag(oldName, section, defaultText, description, setter, name);
    }

    /** For a flag etcd 3.6 turned into a feature gate, the gate; else null. */
    String gate() {
      return replacedBy != null && replacedBy.startsWith("feature-gates=") ? replacedBy.substring(14) : null;
    }

    /** What to use instead, as etcd 3.6 words it: "--corrupt-check-time", "--feature-gates=Gate=true". */
    String use() {
      return "--" + replacedBy + (gate() != null ? "=true" : "");
    }

    /**
     * etcd 3.6's warning when this deprecated flag is set. etcd 3.6 logs none for experimental-initial-corrupt-check
     * (only its --help says it is deprecated); vetch warns for it too, worded as etcd words its other gate flags.
     */
    String deprecationWarning() {
      return "--" + name + " is deprecated in v3.6 and will be decommissioned in v3.7. Use '" + use() + "' instead.";
    }

    boolean isBool() {
      return defaultText.equals("false") || defaultText.equals("true");
    }

    /** etcd's environment variable for this flag: ETCD_ + upper case, dashes to underscores. */
    String envName() {
      return "ETCD_" + name.toUpperCase().replace('-', '_');
    }
  }

  /** Every setting's flag (after its etcd 3.5 name, if it had one), then the flags that are not settings. */
  static final List<Flag> ALL = flags();

  private static List<Flag> flags() {
    List<Flag> all = new ArrayList<>();
    for (Setting<?> s : Setting.ALL) {
      if (s.section() == null) continue;
      String gate = FeatureGates.gateFor(s);
      Flag f = new Flag(s.flag(), s.section(), s.defaultText(), s.help(), setter(s),
          gate == null ? null : "feature-gates=" + gate);
      if (s.oldFlag() != null) all.add(f.renamedFrom(s.oldFlag()));
      all.add(f);
    }
    all.add(new Flag("feature-gates", "Member", "",
        "A set of key=value pairs that describe server level feature gates for alpha/experimental features."
            + " Options are:\n    " + String.join("\n    ", FeatureGates.helpLines())
            + "\n    vetch acts on InitialCorruptCheck; it accepts the others, which change nothing in vetch.",
        FeatureGates::apply));
    all.add(new Flag("config-file", "Member", "",
        "Path to the server configuration file. Its values override flags and environment variables.", null));
    all.add(new Flag("version", "Other", "false", "Print the version and exit.", null));
    all.add(new Flag("help", "Other", "false", "Show this help and exit.", null));
    all.add(new Flag("h", "Other", "false", "Show this help and exit.", null));
    return List.copyOf(all);
  }

  private static <T> Setter setter(Setting<T> s) {
    return (b, v) -> b.set(s, s.parse(v));
  }

  private FlagTable() {}

  static Optional<Flag> find(String name) {
    return ALL.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /** The other name of a setting etcd 3.6 renamed (old to new, new to old); empty for other flags and for gates. */
  static Optional<String> otherSpelling(String name) {
    for (Flag f : ALL) {
      if (f.replacedBy() == null || f.gate() != null) continue;
      if (f.name().equals(name)) return Optional.of(f.replacedBy());
      if (f.replacedBy().equals(name)) return Optional.of(f.name());
    }
    return Optional.empty();
  }

  /** The --help text, grouped by section as etcd's is. */
  static String usage() {
    Map<String, StringBuilder> sections = new LinkedHashMap<>();
    for (Flag f : ALL) {
      if (f.name().equals("h")) continue;
      String dash = "  --" + f.name() + (f.isBool() ? "" : " '" + f.defaultText() + "'");
      String deprecated = f.replacedBy() == null ? ""
          : " Deprecated in v3.6 and will be decommissioned in v3.7. Use '" + f.use() + "' instead.";
      sections.computeIfAbsent(f.section(), s -> new StringBuilder())
          .append(dash).append("\n    ").append(f.description()).append(deprecated).append('\n');
    }
    StringBuilder out = new StringBuilder()
        .append("Usage:\n\n  vetch [flags]\n    Start a vetch member (etcd v3 API compatible).\n\n")
        .append("  vetch --version\n    Show the version of vetch.\n\n")
        .append("  vetch -h | --help\n    Show the help information about vetch.\n\n")
        .append("Flags take '--flag value', '--flag=value' or '-flag value'. Each flag can also be set\n")
        .append("by an environment variable ETCD_<FLAG> (upper case, '-' as '_'), e.g. ETCD_DATA_DIR;\n")
        .append("a flag on the command line wins over its environment variable, and --config-file\n")
        .append("wins over both.\n");
    sections.forEach((name, body) -> out.append('\n').append(name).append(":\n\n").append(body));
    return out.toString();
  }
}
