package io.vetch.wal;

import com.google.protobuf.ByteString;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * JMH (run by {@code bin/vetch-bench jmh}): one Raft batch of {@code batch} 300-byte entries appended to a real
 * WAL and fsynced, as the storage worker's group commit does. Time per batch; divide by batch for per entry.
 * The WAL lives under target/ (a real disk, not tmpfs) and rolls 64 MiB segments as etcd's does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WalAppendBench {
  @Param({"1", "16", "128"})
  int batch;

  private Path dir;
  private Wal wal;
  private long index;
  private ByteString data;

  @Setup(Level.Trial)
  public void open() throws IOException {
    Files.createDirectories(Path.of("target"));
    dir = Files.createTempDirectory(Path.of("target"), "jmh-wal");
    wal = Wal.open(dir, WalOptions.defaults());
    data = ByteString.copyFrom(new byte[300]);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    wal.close();
    io.vetch.mvcc.backend.BackendDir.deleteTree(dir);
  }

  @Benchmark
  public long appendAndSync() throws IOException {
    List<Entry> entries = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      entries.add(Entry.newBuilder().setIndex(++index).setTerm(1).setData(data).build());
    }
    wal.save(HardState.newBuilder().setTerm(1).setCommit(index).build(), entries);
    wal.sync();
    return index;
  }
}
