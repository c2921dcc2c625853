package io.vetch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads etcd's YAML config file as the subset vetch needs: top-level {@code key: value} lines, keys
 * named as the flags, and etcd's two nested blocks {@code client-transport-security} and
 * {@code peer-transport-security}, whose indented {@code cert-file}, {@code key-file},
 * {@code client-cert-auth}, {@code trusted-ca-file}, {@code auto-tls} (and, for peers,
 * {@code allowed-cn}) come back as the flags they stand for ({@code cert-file},
 * {@code peer-cert-file}, {@code peer-cert-allowed-cn}, ...). '#' starts a comment (outside
 * quotes), one pair of surrounding single or double quotes is stripped, an empty value, {@code ~}
 * or {@code null} leaves the key unset. Other blocks' indented lines are skipped and their parent
 * key is returned like any other, so the caller can warn about it. Stateless.
 */
final class ConfigFile {
  private ConfigFile() {}

  /** The blocks' keys, and the flag each stands for (client block, then peer block). */
  private static final Map<String, Map<String, String>> BLOCKS = Map.of(
      "client-transport-security", Map.of("cert-file", "cert-file", "key-file", "key-file",
          "client-cert-auth", "client-cert-auth", "trusted-ca-file", "trusted-ca-file", "auto-tls", "auto-tls"),
      "peer-transport-security", Map.of("cert-file", "peer-cert-file", "key-file", "peer-key-file",
          "client-cert-auth", "peer-client-cert-auth", "trusted-ca-file", "peer-trusted-ca-file",
          "auto-tls", "peer-auto-tls", "allowed-cn", "peer-cert-allowed-cn"));

  /** Keys in file order to their values; throws FlagException (exit 2) naming file and line. */
  static Map<String, String> read(Path file) throws FlagException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new FlagException(FlagException.USAGE, "cannot read --config-file " + file + ": " + e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> block = null; // the keys of the block being read, if it is one vetch knows
    String blockName = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = stripComment(lines.get(i));
      if (line.isBlank() || line.equals("---")) continue;
      boolean nested = Character.isWhitespace(line.charAt(0));
      if (nested && block == null) continue;
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new FlagException(FlagException.USAGE,
            "--config-file " + file + " line " + (i + 1) + ": expected 'key: value', got '" + line.trim() + "'");
      }
      String key = line.substring(0, colon).trim();
      String value = unquote(line.substring(colon + 1).trim());
      if (nested) {
        String flag = block.get(key);
        if (flag == null) {
          throw new FlagException(FlagException.USAGE, "--config-file " + file + " line " + (i + 1)
              + ": unsupported key '" + key + "' in " + blockName + " (supported: " + new java.util.TreeSet<>(
                  block.keySet()) + ")");
        }
        out.put(flag, value);
        continue;
      }
      block = value.isEmpty() ? BLOCKS.get(key) : null;
      blockName = key;
      if (block == null) {
        out.put(key, value);
      }
    }
    return out;
  }

  private static String stripComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String unquote(String v) {
    if (v.equals("~") || v.equals("null")) return "";
    if (v.length() >= 2 && (v.charAt(0) == '\'' || v.charAt(0) == '"') && v.charAt(v.length() - 1) == v.charAt(0)) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }
}
