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
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package layering of design.md true by scanning every reference to io.vetch code (imports and fully
 * qualified names alike): each layer may use only itself and the layers allowed for it, and inside the server the
 * same holds for its packages, so the member's wiring (the server package itself) sits on top and nothing below
 * reaches back up. Chronicle Map is used by mvcc.backend only; Vert.x never by the pure layers. bolt (bbolt, the file
 * format of etcd's snapshots) stands alone: it uses nothing else of vetch; of the server, only server.backup uses it.
 * v2 (etcd's v2 store) stands alone too and is pure: only the server uses it.
 * failpoint (test-only storage faults) uses nothing; the storage layers and the server use it.
 */
class LayeringTest {
  /** layer -> the io.vetch layers it may use (itself included). */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("raft", Set.of("api", "raft")),
      Map.entry("bolt", Set.of("bolt")),
      Map.entry("v2", Set.of("v2")),
      Map.entry("failpoint", Set.of("failpoint")),
      Map.entry("wal", Set.of("api", "failpoint", "wal")),
      Map.entry("snap", Set.of("api", "failpoint", "snap")),
      Map.entry("mvcc", Set.of("api", "failpoint", "mvcc")),
      Map.entry("transport", Set.of("api", "transport")),
      Map.entry("server", Set.of("api", "raft", "wal", "snap", "mvcc", "transport", "bolt", "v2", "failpoint", "server")),
      Map.entry("embed", Set.of("api", "server", "embed")),
      Map.entry("cli", Set.of("api", "server", "cli")));
  /**
   * Inside the server: package -> the server packages it may use besides itself. The package "server" (the wiring:
   * the verticles and the member's start) may use them all and no other package may use it.
   */
  private static final Map<String, Set<String>> SERVER = Map.ofEntries(
      Map.entry("base", Set.of()),
      Map.entry("bus", Set.of()),
      Map.entry("wire", Set.of()),
      Map.entry("metrics", Set.of()),
      Map.entry("v2stats", Set.of()),
      Map.entry("alarm", Set.of("base")),
      Map.entry("auth", Set.of("base")),
      Map.entry("lease", Set.of("base")),
      Map.entry("config", Set.of("base", "auth")),
      Map.entry("apply", Set.of("base", "alarm", "auth", "lease")),
      Map.entry("membership", Set.of("base", "apply")),
      Map.entry("backup", Set.of("base", "alarm", "auth", "lease", "membership")),
      Map.entry("watch", Set.of("base", "bus", "metrics", "wire")),
      Map.entry("grpc", Set.of("base", "bus", "wire", "metrics", "v2stats", "alarm", "auth", "lease", "backup",
          "config", "apply", "membership", "watch")),
      Map.entry("http", Set.of("base", "bus", "wire", "metrics", "v2stats", "alarm", "auth", "lease", "backup",
          "config", "apply", "membership", "watch", "grpc")));
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);
  /** A reference to vetch code anywhere in a file: the layer, then a server package or class when there is one. */
  private static final Pattern VETCH = Pattern.compile("\\bio\\.vetch\\.(\\w+)(?:\\.(\\w+))?");
  private static final Set<String> PURE = Set.of("raft", "wal", "snap", "mvcc", "bolt", "v2", "failpoint");
  private static final Path ROOT = Path.of("src/main/java/io/vetch");

  @Test
  void layersDependOnlyDownwards() throws IOException {
    List<String> violations = new ArrayList<>();
    int files = 0;
    try (Stream<Path> all = Files.walk(ROOT)) {
      for (Path f : (Iterable<Path>) all.filter(p -> p.toString().endsWith(".java"))::iterator) {
        files++;
        Path rel = ROOT.relativize(f);
        String layer = rel.getName(0).toString();
        String serverPackage = layer.equals("server") ? (rel.getNameCount() > 2 ? rel.getName(1).toString() : "server")
            : null;
        String src = Files.readString(f);
        Matcher m = VETCH.matcher(src);
        while (m.find()) {
          String target = m.group(1);
          if (ALLOWED.containsKey(layer) && !ALLOWED.get(layer).contains(target)) {
            violations.add(f + " uses io.vetch." + target);
          }
          if (serverPackage != null && target.equals("bolt") && !serverPackage.equals("backup")) {
            violations.add(f + " uses io.vetch.bolt outside server.backup");
          }
          if (serverPackage != null && target.equals("server") && m.group(2) != null) {
            String used = Character.isUpperCase(m.group(2).charAt(0)) ? "server" : m.group(2);
            if (!used.equals(serverPackage) && !serverPackage.equals("server")
                && !SERVER.getOrDefault(serverPackage, Set.of()).contains(used)) {
              violations.add(f + " (server." + serverPackage + ") uses server." + used);
            }
          }
        }
        Matcher imports = IMPORT.matcher(src);
        while (imports.find()) {
          String imp = imports.group(1);
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

  @Test
  void everyServerPackageHasARule() throws IOException {
    Set<String> packages = new TreeSet<>();
    try (Stream<Path> dirs = Files.list(ROOT.resolve("server"))) {
      dirs.filter(Files::isDirectory).forEach(d -> packages.add(d.getFileName().toString()));
    }
    assertEquals(new TreeSet<>(SERVER.keySet()), packages, "a new server package needs its place in SERVER");
  }
}
