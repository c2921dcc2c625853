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
 * JMH (run by {@code bin/vetch-bench jmh}): a put of a new key into the key index (the writer's lookup, which
 * misses, and the insert), on an index loaded with {@code keys} keys again before each iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TreeIndexInsertBench {
  @Param({"100000"})
  int keys;

  private TreeIndex index;
  private long rev;

  @Setup(Level.Iteration)
  public void load() {
    index = new TreeIndex();
    rev = 0;
    for (byte[] k : KvStoreBench.keys(keys)) {
      index.put(index.lookup(k), k, new Revision(++rev, 0));
    }
  }

  @Benchmark
  public long insert() {
    byte[] k = new byte[16];
    ThreadLocalRandom.current().nextBytes(k);
    index.put(index.lookup(k), k, new Revision(++rev, 0));
    return rev;
  }
}
