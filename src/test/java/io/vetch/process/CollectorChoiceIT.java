package io.vetch.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/vetch's collector: Parallel for a member whose data dir holds less than 200 MB (or does not exist yet), G1 for
 * one that starts on more (its data dir named by a flag, the environment, or the default {@code <name>.vetch}) or
 * whose data dir a config file names, VETCH_GC overriding both; anything else refused.
 * Checked on the JVM's own flags ({@code -XX:+PrintCommandLineFlags}), through {@code vetch --version}.
 */
class CollectorChoiceIT {
  @TempDir Path dir;

  @Test
  void chosenByTheDataDirsSizeUnlessVetchGcSays() throws Exception {
    Path small = dir.resolve("small.etcd");
    Files.createDirectories(small.resolve("member/wal"));
    Files.write(small.resolve("member/wal/0.wal"), new byte[64 * 1024]);
    Path big = dir.resolve("big.vetch"); // also the default data dir of a member named big
    Files.createDirectories(big.resolve("member/snap"));
    try (OutputStream out = Files.newOutputStream(big.resolve("member/snap/db"))) {
      byte[] mib = new byte[1 << 20];
      mib[0] = 1; // written, not sparse: du counts it
      for (int i = 0; i < 201; i++) {
        out.write(mib);
      }
    }

    assertEquals("UseParallelGC", collector(Map.of(), "--data-dir", dir.resolve("new.etcd").toString()));
    assertEquals("UseParallelGC", collector(Map.of(), "--data-dir=" + small));
    assertEquals("UseG1GC", collector(Map.of(), "--data-dir", big.toString()));
    assertEquals("UseG1GC", collector(Map.of("ETCD_DATA_DIR", big.toString())));
    assertEquals("UseG1GC", collector(Map.of(), "--name", "big"));
    assertEquals("UseG1GC", collector(Map.of("ETCD_NAME", "big")));
    assertEquals("UseG1GC", collector(Map.of(), "--config-file", dir.resolve("vetch.yml").toString()));
    assertEquals("UseParallelGC", collector(Map.of("VETCH_GC", "parallel"), "--data-dir", big.toString()));
    assertEquals("UseG1GC", collector(Map.of("VETCH_GC", "g1"), "--data-dir", small.toString()));

    Result bad = run(Map.of("VETCH_GC", "zgc"));
    assertEquals(2, bad.exit);
    assertTrue(bad.output.contains("VETCH_GC must be parallel or g1, not zgc"), bad.output);
  }

  /** The collector flag the JVM bin/vetch started ran with. */
  private String collector(Map<String, String> env, String... args) throws Exception {
    Result r = run(env, args);
    assertEquals(0, r.exit, r.output);
    boolean parallel = r.output.contains("-XX:+UseParallelGC");
    boolean g1 = r.output.contains("-XX:+UseG1GC");
    assertTrue(parallel != g1, r.output);
    return parallel ? "UseParallelGC" : "UseG1GC";
  }

  private record Result(int exit, String output) {
  }

  private Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of("bin/vetch").toAbsolutePath().toString(), "--version"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().remove("VETCH_GC");
    pb.environment().remove("ETCD_DATA_DIR");
    pb.environment().put("VETCH_JAVA_OPTS", "-XX:+PrintCommandLineFlags");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "bin/vetch --version did not exit"); // the first start records the CDS archive
    return new Result(p.exitValue(), out);
  }
}
