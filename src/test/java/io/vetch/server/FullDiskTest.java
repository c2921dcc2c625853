package io.vetch.server;

import static io.vetch.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.testing.TestMember;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the data directory on a small tmpfs filled by 500 KB puts (one member, and the leader of three),
 * then the file system grown with a remount ("space is back"). Needs root for mount; skipped with a message
 * otherwise. The same checks as {@link StorageFailureTest}, and a member refusing to start without the room it needs.
 */
@ExtendWith(VertxExtension.class)
class FullDiskTest {
  private static final int VALUE_BYTES = 500 * 1024;

  @TempDir
  Path dir;

  /** A tmpfs mounted on a directory, unmounted on close. */
  static final class Tmpfs implements AutoCloseable {
    final Path mountPoint;

    Tmpfs(Path mountPoint, int mib) throws Exception {
      this.mountPoint = Files.createDirectories(mountPoint);
      Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs",
          mountPoint.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      boolean done = p.waitFor(30, TimeUnit.SECONDS);
      Assumptions.assumeTrue(done && p.exitValue() == 0,
          "skipped: cannot mount a tmpfs here (needs root and mount permission): " + out.trim());
    }

    /** Gives the file system mib MiB in all: space is back. */
    void grow(int mib) throws Exception {
      Process p = new ProcessBuilder("mount", "-o", "remount,size=" + mib + "m", mountPoint.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "remount: " + out);
    }

    @Override
    public void close() throws Exception {
      Process p = new ProcessBuilder("umount", "-l", mountPoint.toString()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static byte[] value(int i) {
    byte[] v = new byte[VALUE_BYTES];
    new java.util.Random(i).nextBytes(v); // incompressible, like real data
    return v;
  }

  /** Puts 500 KB values through port until one fails; returns the failure. */
  private static FaultClient.Reply fill(FaultClient c, int port, String prefix) throws Exception {
    for (int i = 0; i < 2000; i++) {
      FaultClient.Reply r = c.put(port, prefix + i, value(i));
      if (!r.ok()) {
        return r;
      }
    }
    throw new AssertionError("the disk never filled");
  }

  @Test
  void aMemberWithoutRoomToStartSaysHowMuchItNeedsAndWhere(Vertx vertx) throws Exception {
    try (Tmpfs fs = new Tmpfs(dir.resolve("small"), 150)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> TestMember.start(vertx, fs.mountPoint.resolve("data")));
      String msg = e.getCause().getMessage();
      assertTrue(msg.startsWith("not enough free space to open data directory " + fs.mountPoint.resolve("data")
          + ": 220 MiB needed (a new store's 92 MiB, two WAL segments of 64 MiB), 150 MiB free on "), msg);
    }
  }

  @Test
  void aFullDiskIsAnsweredAtOnceAndTheMemberReopensWhenSpaceIsBack(Vertx vertx) throws Exception {
    try (Tmpfs fs = new Tmpfs(dir.resolve("one"), 300);
        TestMember m = TestMember.start(vertx, fs.mountPoint.resolve("data"));
        FaultClient c = new FaultClient(vertx)) {
      int port = m.clientPort();
      FaultClient.Reply failed = fill(c, port, "big/");
      assertEquals("14", failed.status(), failed.message());
      assertTrue(failed.message().startsWith("etcdserver: storage failure: no space left on device ("),
          failed.message());
      int ackedWhenFull = c.acked.size();
      assertTrue(ackedWhenFull > 50, "writes were acknowledged until the disk was full: " + ackedWhenFull);
      FaultClient.Reply next = c.put(port, "refused", "x");
      assertEquals(failed.message(), next.message());
      assertTrue(next.millis() < 1000, next.millis() + " ms");
      assertTrue(c.range(port, "big/0", true).ok(), "serializable reads go on");
      StorageFailureTest.assertReported(c, port, failed.message());
      System.out.println("full disk, one member: " + ackedWhenFull + " puts of 500 KB acknowledged, then "
          + failed.message());

      fs.grow(700);
      eventually("the member reopened", () -> m.server().reopens() == 1);
      assertTrue(c.put(port, "after", "reopen").ok());
      assertEquals(ackedWhenFull + 1, c.checkAcked(port));
    }
  }

  @Test
  void aLeaderWhoseDiskFillsHandsOverAndCatchesUpWhenSpaceIsBack(Vertx vertx) throws Exception {
    try (Tmpfs fs = new Tmpfs(dir.resolve("leader"), 300)) {
      List<Path> dirs = List.of(fs.mountPoint.resolve("d0"), dir.resolve("d1"), dir.resolve("d2"));
      List<TestMember> members = TestMember.cluster(vertx, dirs, b -> b);
      try (FaultClient c = new FaultClient(vertx)) {
        TestMember small = members.get(0);
        eventually("a leader", () -> small.server().status().leader() != 0);
        long leader = small.server().status().leader();
        if (leader != small.server().memberId()) {
          int l = StorageFailureTest.indexOf(members, leader);
          FaultClient.Http moved = c.post(members.get(l).clientPort(), "/v3/maintenance/transfer-leadership",
              "{\"targetID\":\"" + Long.toUnsignedString(small.server().memberId()) + "\"}");
          assertEquals(200, moved.status(), moved.body());
        }
        eventually("the member on the small disk leads",
            () -> small.server().status().leader() == small.server().memberId());
        FaultClient.Reply failed = fill(c, small.clientPort(), "big/");
        assertEquals("14", failed.status(), failed.message());
        assertTrue(failed.message().startsWith("etcdserver: storage failure: no space left on device ("),
            failed.message());
        int ackedWhenFull = c.acked.size();
        TestMember other = members.get(1);
        eventually("another member leads", () -> {
          long lead = other.server().status().leader();
          return lead != 0 && lead != small.server().memberId();
        });
        for (int i = 0; i < 20; i++) {
          assertTrue(c.put(other.clientPort(), "after-full/" + i, "v" + i).ok(), "the cluster keeps writing");
        }
        assertEquals(failed.message(), c.put(small.clientPort(), "refused", "x").message());
        StorageFailureTest.assertReported(c, small.clientPort(), failed.message());
        System.out.println("full disk, leader of 3: " + ackedWhenFull + " puts of 500 KB acknowledged, then "
            + failed.message() + "; 20 more through another member");

        fs.grow(900);
        eventually("the old leader reopened", () -> small.server().reopens() == 1);
        eventually("it caught up", () -> {
          try {
            return FaultClient.parseRange(c.range(small.clientPort(), "after-full/19", true)).getKvsCount() == 1;
          } catch (Exception e) {
            return false;
          }
        });
        for (TestMember m : members) {
          assertEquals(ackedWhenFull + 20, c.checkAcked(m.clientPort()));
        }
      } finally {
        for (TestMember m : members) {
          m.close();
        }
      }
    }
  }
}
