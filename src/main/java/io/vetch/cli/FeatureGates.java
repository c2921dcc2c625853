package io.vetch.cli;

import io.vetch.server.config.ServerConfig;
import io.vetch.server.config.Setting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * etcd 3.6's {@code --feature-gates} (pkg/featuregate and server/features at v3.6): a comma-separated list of
 * {@code Name=bool}. vetch knows etcd 3.6's server gates and acts on InitialCorruptCheck (what
 * --experimental-initial-corrupt-check means); the others are accepted and change nothing. Stateless.
 */
final class FeatureGates {
  private FeatureGates() {}

  private record Gate(String stage, boolean byDefault) {}

  /** etcd 3.6's server gates with the generic AllAlpha/AllBeta, sorted as etcd's --help lists them. */
  private static final Map<String, Gate> KNOWN = new LinkedHashMap<>();

  static {
    KNOWN.put("AllAlpha", new Gate("ALPHA", false));
    KNOWN.put("AllBeta", new Gate("BETA", false));
    KNOWN.put("CompactHashCheck", new Gate("ALPHA", false));
    KNOWN.put("InitialCorruptCheck", new Gate("ALPHA", false));
    KNOWN.put("LeaseCheckpoint", new Gate("ALPHA", false));
    KNOWN.put("LeaseCheckpointPersist", new Gate("ALPHA", false));
    KNOWN.put("SetMemberLocalAddr", new Gate("ALPHA", false));
    KNOWN.put("StopGRPCServiceOnDefrag", new Gate("ALPHA", false));
    KNOWN.put("TxnModeWriteWithSharedBuffer", new Gate("BETA", true));
  }

  /**
   * The gates the list sets, as etcd's featureGate.Set: the named ones, plus for AllAlpha/AllBeta every alpha/beta
   * gate not named. Throws IllegalArgumentException with etcd's message for a malformed list or an unknown gate.
   */
  static Map<String, Boolean> parse(String list) {
    Map<String, Boolean> set = new LinkedHashMap<>();
    for (String s : list.split(",", -1)) {
      if (s.isEmpty()) continue;
      int eq = s.indexOf('=');
      String k = (eq < 0 ? s : s.substring(0, eq)).trim();
      if (eq < 0) throw new IllegalArgumentException("missing bool value for " + k);
      String v = s.substring(eq + 1).trim();
      Boolean on = Setting.goBool(v);
      if (on == null) {
        throw new IllegalArgumentException(
            "invalid value of " + k + "=" + v + ", err: strconv.ParseBool: parsing \"" + v + "\": invalid syntax");
      }
      set.put(k, on);
    }
    for (String k : set.keySet()) {
      if (!KNOWN.containsKey(k)) throw new IllegalArgumentException("unrecognized feature gate: " + k);
    }
    Map<String, Boolean> enabled = new LinkedHashMap<>(set);
    for (String all : List.of("AllAlpha", "AllBeta")) {
      Boolean v = set.get(all);
      if (v == null) continue;
      KNOWN.forEach((k, gate) -> {
        if (gate.stage().equals(KNOWN.get(all).stage())) enabled.putIfAbsent(k, v);
      });
    }
    return enabled;
  }

  /** The gates vetch acts on, and the setting each sets; etcd 3.6 deprecates that setting's own flag. */
  private static final Map<String, Setting<Boolean>> SETTINGS = Map.of(
      "InitialCorruptCheck", Setting.INITIAL_CORRUPT_CHECK);

  /** The flag's setter: the settings of the gates vetch acts on, when the list sets them. */
  static void apply(ServerConfig.Builder b, String list) {
    parse(list).forEach((gate, on) -> {
      if (SETTINGS.containsKey(gate)) b.set(SETTINGS.get(gate), on);
    });
  }

  /** The gate that sets s, or null. */
  static String gateFor(Setting<?> s) {
    return SETTINGS.entrySet().stream().filter(e -> e.getValue() == s).map(Map.Entry::getKey).findFirst()
        .orElse(null);
  }

  /** The --help lines, as etcd's KnownFeatures: "Name=true|false (STAGE - default=false)". */
  static List<String> helpLines() {
    return KNOWN.entrySet().stream()
        .map(e -> e.getKey() + "=true|false (" + e.getValue().stage() + " - default=" + e.getValue().byDefault() + ")")
        .toList();
  }
}
