package io.vetch.mvcc;

import io.vetch.mvcc.backend.BackendDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH (run by {@code bin/vetch-bench jmh}): the MVCC store over the real Chronicle Map backend, holding
 * {@code keys} keys of 10 bytes with 256-byte values. A put is one write txn (etcd's one-put Put request, without
 * the WAL); reads are at the current revision. Each iteration starts compacted, as with auto-compaction on.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KvStoreBench {
  @Param({"10000", "1000000"})
  int keys;

  private Path dir;
  private KvStore store;
  private long raftIndex;
  private final byte[] value = new byte[256];
  private byte[][] names;

  @Setup(Level.Trial)
  public void load() throws IOException {
    Files.createDirectories(Path.of("target"));
    dir = Files.createTempDirectory(Path.of("target"), "jmh-mvcc");
    store = KvStore.open(dir, new StoreOptions(keys, value.length));
    names = keys(keys);
    for (int i = 0; i < keys; i += 100) {
      WriteTxn txn = store.write(++raftIndex);
      for (int k = i; k < Math.min(keys, i + 100); k++) {
        txn.put(names[k], value, 0);
      }
      txn.end();
    }
  }

  @Setup(Level.Iteration)
  public void compact() throws Exception {
    if (store.currentRevision() > store.compactRevision() + 1) {
      store.compact(store.currentRevision(), ++raftIndex);
      while (!store.compactStep(100_000)) {
        // physical deletes until none are left
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BackendDir.deleteTree(dir);
  }

  @Benchmark
  public Object put() {
    WriteTxn txn = store.write(++raftIndex);
    txn.put(names[ThreadLocalRandom.current().nextInt(keys)], value, 0);
    return txn.end();
  }

  @Benchmark
  public RangeResult rangeOne() throws Exception {
    return store.range(names[ThreadLocalRandom.current().nextInt(keys)], null, 0, 0, false);
  }

  @Benchmark
  public RangeResult range100() throws Exception {
    int from = ThreadLocalRandom.current().nextInt(keys - 100);
    return store.range(names[from], names[from + 100], 0, 0, false);
  }

  /** Keys k/00000000 .. in order, made once so that formatting them is not measured. */
  static byte[][] keys(int n) {
    byte[][] k = new byte[n][];
    for (int i = 0; i < n; i++) {
      k[i] = String.format("k/%08d", i).getBytes(StandardCharsets.US_ASCII);
    }
    return k;
  }
}
