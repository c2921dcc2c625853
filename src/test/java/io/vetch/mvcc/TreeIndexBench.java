package io.vetch.mvcc;

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

/**
 * JMH (run by {@code bin/vetch-bench jmh}): the in-heap key index with {@code keys} keys: a point lookup at the
 * latest revision, a new revision for an existing key (the writer's lookup + put), and a 100-key range scan.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TreeIndexBench {
  @Param({"10000", "1000000"})
  int keys;

  private TreeIndex index;
  private long rev;
  private byte[][] names;

  @Setup(Level.Trial)
  public void load() {
    index = new TreeIndex();
    names = KvStoreBench.keys(keys);
    for (byte[] k : names) {
      index.put(index.lookup(k), k, new Revision(++rev, 0));
    }
  }

  @Setup(Level.Iteration)
  public void compact() {
    index.compact(rev);
  }

  @Benchmark
  public Object get() {
    return index.get(names[ThreadLocalRandom.current().nextInt(keys)], rev);
  }

  @Benchmark
  public long put() {
    byte[] k = names[ThreadLocalRandom.current().nextInt(keys)];
    index.put(index.lookup(k), k, new Revision(++rev, 0));
    return rev;
  }

  @Benchmark
  public Object range100() {
    int from = ThreadLocalRandom.current().nextInt(keys - 100);
    return index.revisions(names[from], names[from + 100], rev, 0, false);
  }
}
