package io.vetch.cli;

import io.vetch.server.backup.BackupFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code vetch snapshot restore|status}, etcdutl's snapshot commands for backups, etcd's (what {@code etcdctl
 * snapshot save} receives from an etcd or a vetch member) and vetch's own older format:
 * <pre>
 *   vetch snapshot restore FILE [--data-dir DIR] [--name NAME] [--initial-cluster ...]
 *       [--initial-cluster-token ...] [--initial-advertise-peer-urls ...] [--skip-hash-check]
 *   vetch snapshot status FILE [-w table|json|simple]
 * </pre>
 * A restored data directory starts a new cluster: start the member with the same --name and --initial-cluster
 * flags, as etcd's restore instructions do. Exit codes: 0, 1 when the snapshot is unusable, 2 for usage errors.
 */
final class SnapshotCommand {
  private static final List<String> RESTORE_FLAGS = List.of("data-dir", "name", "initial-cluster",
      "initial-cluster-token", "initial-advertise-peer-urls", "skip-hash-check");

  private SnapshotCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    Logging.configure("warn");
    if (args.size() < 2 || !List.of("restore", "status").contains(args.get(0))) {
      err.println("Usage: vetch snapshot restore <file> [--data-dir DIR --name NAME --initial-cluster ...]");
      err.println("       vetch snapshot status <file> [-w table|json|simple]");
      return 2;
    }
    Path file = Path.of(args.get(1));
    Map<String, String> flags = new HashMap<>();
    for (int i = 2; i < args.size(); i++) {
      String a = args.get(i).replaceFirst("^--?", "");
      String value;
      int eq = a.indexOf('=');
      if (eq >= 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      } else if (a.equals("skip-hash-check")) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        err.println("vetch snapshot: flag needs a value: --" + a);
        return 2;
      }
      flags.put(a.equals("write-out") ? "w" : a, value);
    }
    try {
      return args.get(0).equals("restore") ? restore(file, flags, out, err) : status(file, flags, out, err);
    } catch (java.nio.file.NoSuchFileException e) {
      err.println("vetch snapshot " + args.get(0) + ": open " + e.getFile() + ": no such file or directory");
      return 1;
    } catch (IOException | RuntimeException e) {
      err.println("vetch snapshot " + args.get(0) + ": " + e.getMessage());
      return 1;
    }
  }

  private static int restore(Path file, Map<String, String> flags, PrintStream out, PrintStream err)
      throws IOException {
    for (String f : flags.keySet()) {
      if (!RESTORE_FLAGS.contains(f)) {
        err.println("vetch snapshot restore: unknown flag --" + f);
        return 2;
      }
    }
    String name = flags.getOrDefault("name", "default");
    String cluster = flags.getOrDefault("initial-cluster", name + "=http://localhost:2380");
    if (!io.vetch.server.config.Urls.parseInitialCluster(cluster).containsKey(name)) {
      err.println("vetch snapshot restore: member name \"" + name + "\" is not in --initial-cluster " + cluster);
      return 2;
    }
    Path dataDir = Path.of(flags.getOrDefault("data-dir", name + ".etcd"));
    BackupFile.restore(file, dataDir, Boolean.parseBoolean(flags.getOrDefault("skip-hash-check", "false")));
    BackupFile.Status s = BackupFile.status(file);
    out.printf("restored snapshot %s to data-dir %s: revision %d, %d keys; start member %s with --initial-cluster %s%n",
        file, dataDir, s.revision(), s.totalKeys(), name, cluster);
    return 0;
  }

  private static int status(Path file, Map<String, String> flags, PrintStream out, PrintStream err)
      throws IOException {
    String format = flags.getOrDefault("w", "table");
    BackupFile.Status s = BackupFile.status(file);
    String hash = String.format("%08x", s.hash());
    switch (format) {
      case "json" -> out.printf("{\"hash\":%d,\"revision\":%d,\"totalKey\":%d,\"totalSize\":%d}%n",
          Integer.toUnsignedLong(s.hash()), s.revision(), s.totalKeys(), s.totalSize());
      case "simple" -> out.printf("%s, %d, %d, %s%n", hash, s.revision(), s.totalKeys(), humanBytes(s.totalSize()));
      case "table" -> {
        String[] head = {"HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"};
        String[] row = {hash, Long.toString(s.revision()), Long.toString(s.totalKeys()), humanBytes(s.totalSize())};
        StringBuilder line = new StringBuilder("+");
        int[] w = new int[4];
        for (int i = 0; i < 4; i++) {
          w[i] = Math.max(head[i].length(), row[i].length()) + 2;
          line.append("-".repeat(w[i])).append('+');
        }
        out.println(line);
        out.println(cells(head, w, new boolean[4]));
        out.println(line);
        out.println(cells(row, w, new boolean[] {false, true, true, true}));
        out.println(line);
      }
      default -> {
        err.println("vetch snapshot status: unknown output format " + format + " (table, json or simple)");
        return 2;
      }
    }
    return 0;
  }

  /** A table row as etcdctl prints it: headers centred, numbers (right) right-aligned, the rest left-aligned. */
  private static String cells(String[] values, int[] widths, boolean[] right) {
    boolean header = values[0].equals("HASH");
    StringBuilder b = new StringBuilder("|");
    for (int i = 0; i < values.length; i++) {
      int pad = widths[i] - values[i].length();
      int left = header ? pad / 2 : right[i] ? pad - 1 : 1;
      b.append(" ".repeat(left)).append(values[i]).append(" ".repeat(pad - left)).append('|');
    }
    return b.toString();
  }

  /** As Go's humanize.Bytes, which etcdctl uses: SI units, one decimal under 10. */
  static String humanBytes(long n) {
    if (n < 10) {
      return n + " B";
    }
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    int e = (int) Math.floor(Math.log(n) / Math.log(1000));
    double v = Math.floor(n / Math.pow(1000, e) * 10 + 0.5) / 10;
    return (v < 10 ? String.format("%.1f", v) : String.format("%.0f", v)) + " " + units[e];
  }
}
