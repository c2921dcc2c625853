package io.vetch.snap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.api.raftpb.SnapshotMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotterTest {
  @TempDir
  Path tmp;

  private static Snapshot snap(long term, long index, String data) {
    return Snapshot.newBuilder()
        .setData(ByteString.copyFromUtf8(data))
        .setMetadata(SnapshotMetadata.newBuilder().setTerm(term).setIndex(index)
            .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3)))
        .build();
  }

  private static String[] names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void emptyDirectoryHasNoSnapshot() throws IOException {
    Snapshotter s = new Snapshotter(tmp.resolve("member/snap"));
    assertTrue(Files.isDirectory(tmp.resolve("member/snap")));
    assertEquals(Optional.empty(), s.loadNewest());
  }

  @Test
  void savesAndLoadsTheNewest() throws IOException {
    Snapshotter s = new Snapshotter(tmp);
    s.save(snap(2, 100, "a"));
    s.save(snap(2, 200, "b"));
    s.save(snap(3, 250, ""));
    assertEquals(Optional.of(snap(3, 250, "")), s.loadNewest());
    assertEquals(3, names(tmp).length);
    assertEquals("0000000000000003-00000000000000fa.snap", names(tmp)[2]);
    assertEquals(Optional.of(snap(3, 250, "")), new Snapshotter(tmp).loadNewest(), "survives a restart");
  }

  @Test
  void corruptNewestFallsBackToThePreviousAndIsSetAside() throws IOException {
    Snapshotter s = new Snapshotter(tmp);
    s.save(snap(1, 10, "older"));
    s.save(snap(1, 20, "newer"));
    Path newest = tmp.resolve("0000000000000001-0000000000000014.snap");
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length - 2] ^= 1;
    Files.write(newest, bytes);

    assertEquals(Optional.of(snap(1, 10, "older")), s.loadNewest());
    assertFalse(Files.exists(newest));
    assertTrue(Files.exists(tmp.resolve("0000000000000001-0000000000000014.snap.broken")));
    assertEquals(Optional.of(snap(1, 10, "older")), s.loadNewest());
  }

  @Test
  void truncatedAndMisnamedFilesAreBroken() throws IOException {
    Snapshotter s = new Snapshotter(tmp);
    s.save(snap(1, 10, "good"));
    Files.write(tmp.resolve("0000000000000001-0000000000000030.snap"), new byte[] {1, 2});
    Files.copy(tmp.resolve("0000000000000001-000000000000000a.snap"),
        tmp.resolve("0000000000000001-0000000000000020.snap"));
    assertEquals(Optional.of(snap(1, 10, "good")), s.loadNewest());
    assertEquals(List.of("0000000000000001-000000000000000a.snap", "0000000000000001-0000000000000020.snap.broken",
        "0000000000000001-0000000000000030.snap.broken"), List.of(names(tmp)));
  }

  @Test
  void purgeKeepsTheNewest() throws IOException {
    Snapshotter s = new Snapshotter(tmp);
    for (long i = 1; i <= 5; i++) {
      s.save(snap(1, i * 10, "x" + i));
    }
    assertEquals(3, s.purge(2));
    assertEquals(2, names(tmp).length);
    assertEquals(0, s.purge(2));
    assertEquals(Optional.of(snap(1, 50, "x5")), s.loadNewest());
    assertEquals("0000000000000001-0000000000000028.snap", names(tmp)[0]);
  }

  @Test
  void leftoverTmpFileIsRemoved() throws IOException {
    Files.write(tmp.resolve("0000000000000001-0000000000000001.snap.tmp"), new byte[] {9});
    new Snapshotter(tmp);
    assertEquals(0, names(tmp).length);
  }
}
