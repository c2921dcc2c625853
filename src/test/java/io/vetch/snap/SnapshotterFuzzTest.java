package io.vetch.snap;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.api.raftpb.SnapshotMetadata;
import io.vetch.testing.Fuzzing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the reading of Raft snapshot files (member/snap, which a damaged disk may hand back): {@code file} takes
 * the bytes as a whole {@code .snap} file, {@code body} as the Snapshot bytes after a matching CRC (so that the
 * fuzzer reaches the protobuf decoding and the name check). {@link Snapshotter#loadNewest} must return a snapshot
 * or none (a broken file set aside), never throw.
 */
class SnapshotterFuzzTest {
  /** The name of the seeds' snapshot (term 2, index 5); a fuzzed file keeps it. */
  private static final String NAME = Snapshotter.name(2, 5);
  private static Path dir;

  @BeforeAll
  static void scratch() {
    dir = Fuzzing.scratch("snap");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    Fuzzing.delete(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void file(byte[] data) throws IOException {
    load(data);
  }

  @FuzzTest(maxDuration = "10m")
  void body(byte[] data) throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(data);
    load(ByteBuffer.allocate(4 + data.length).putInt((int) crc.getValue()).put(data).array());
  }

  private static void load(byte[] file) throws IOException {
    Fuzzing.clear(dir);
    Files.write(dir.resolve(NAME), file);
    new Snapshotter(dir).loadNewest().ifPresent(s -> s.getMetadata().getConfState().getVotersList());
  }

  static Map<String, Map<String, byte[]>> seeds() throws IOException {
    Snapshot s = Snapshot.newBuilder()
        .setData(ByteString.copyFromUtf8("VSD1 data of a member"))
        .setMetadata(SnapshotMetadata.newBuilder().setTerm(2).setIndex(5)
            .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addLearners(3)))
        .build();
    Path d = Fuzzing.scratch("snap-seeds");
    try {
      new Snapshotter(d).save(s);
      byte[] file = Files.readAllBytes(d.resolve(NAME));
      return Map.of("file", Map.of("snapshot", file), "body", Map.of("snapshot", Arrays.copyOfRange(file, 4,
          file.length)));
    } finally {
      Fuzzing.delete(d);
    }
  }
}
