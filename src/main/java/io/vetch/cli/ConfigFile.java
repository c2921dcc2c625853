package io.vetch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads etcd's YAML config file as the flat subset vetch needs: top-level {@code key: value}
 * lines, keys named as the flags. '#' starts a comment (outside quotes), one pair of surrounding
 * single or double quotes is stripped, an empty value, {@code ~} or {@code null} leaves the key
 * unset. Indented lines (nested blocks such as etcd's client-transport-security) are skipped and
 * their parent key is returned like any other, so the caller can warn about it. Stateless.
 */
final class ConfigFile {
  private ConfigFile() {}

  /** Keys in file order to their values; throws FlagException (exit 2) naming file and line. */
  static Map<String, String> read(Path file) throws FlagException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new FlagException(FlagException.USAGE, "cannot read --config-file " + file + ": " + e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = stripComment(lines.get(i));
      if (line.isBlank() || line.equals("---") || Character.isWhitespace(line.charAt(0))) continue;
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new FlagException(FlagException.USAGE,
            "--config-file " + file + " line " + (i + 1) + ": expected 'key: value', got '" + line.trim() + "'");
      }
      out.put(line.substring(0, colon).trim(), unquote(line.substring(colon + 1).trim()));
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
