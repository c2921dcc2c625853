package io.vetch.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package layering of design.md true by scanning imports: each layer may use only itself and the layers
 * allowed for it. Chronicle Map is imported by mvcc.backend only; Vert.x never by the pure layers.
 */
class LayeringTest {
  /** layer -> the io.vetch layers it may import (itself included). */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "raft", Set.of("api", "raft"),
      "wal", Set.of("api", "wal"),
      "snap", Set.of("api", "snap"),
      "mvcc", Set.of("api", "mvcc"),
      "transport", Set.of("api", "transport"),
      "server", Set.of("api", "raft", "wal", "snap", "mvcc", "transport", "server"),
      "embed", Set.of("api", "server", "embed"),
      "cli", Set.of("api", "server", "cli"));
  private static final Set<String> PURE = Set.of("raft", "wal", "snap", "mvcc");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

  @Test
  void layersDependOnlyDownwards() throws IOException {
    List<String> violations = new ArrayList<>();
    int files = 0;
    try (Stream<Path> all = Files.walk(Path.of("src/main/java/io/vetch"))) {
      for (Path f : (Iterable<Path>) all.filter(p -> p.toString().endsWith(".java"))::iterator) {
        files++;
        String layer = Path.of("src/main/java/io/vetch").relativize(f).getName(0).toString();
        String src = Files.readString(f);
        Matcher m = IMPORT.matcher(src);
        while (m.find()) {
          String imp = m.group(1);
          if (imp.startsWith("io.vetch.")) {
            String target = imp.split("\\.")[2];
            if (ALLOWED.containsKey(layer) && !ALLOWED.get(layer).contains(target)) {
              violations.add(f + " imports " + imp);
            }
          }
          if (imp.startsWith("net.openhft") && !f.toString().contains("/mvcc/backend/")) {
            violations.add(f + " imports Chronicle outside mvcc.backend: " + imp);
          }
          if (imp.startsWith("io.vertx") && PURE.contains(layer)) {
            violations.add(f + " is in a pure layer but imports " + imp);
          }
        }
      }
    }
    assertTrue(files > 50, "scanned " + files + " files");
    assertEquals(List.of(), violations);
  }
}
