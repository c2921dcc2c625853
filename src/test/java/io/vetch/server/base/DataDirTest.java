package io.vetch.server.base;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The names of a data directory are an on-disk format: members upgrade in place, so each stays what the data
 * directories written so far use (README, "Data directory").
 */
class DataDirTest {
  private final DataDir dir = new DataDir(Path.of("/data/m1"));

  @Test
  void namesEveryFileWhereExistingDataDirectoriesHaveIt() {
    assertEquals(Path.of("/data/m1/member"), dir.memberDir());
    assertEquals(Path.of("/data/m1/member/wal"), dir.walDir());
    assertEquals(Path.of("/data/m1/member/snap"), dir.snapDir());
    assertEquals(Path.of("/data/m1/member/snap/incoming"), dir.incomingDir());
    assertEquals(Path.of("/data/m1/member/store"), dir.storeDir());
    assertEquals(Path.of("/data/m1/member/members"), dir.membersFile());
    assertEquals(Path.of("/data/m1/member/leases"), dir.leasesFile());
    assertEquals(Path.of("/data/m1/member/alarms"), dir.alarmsFile());
    assertEquals(Path.of("/data/m1/member/auth"), dir.authFile());
    assertEquals(Path.of("/data/m1/member/restore.image"), dir.restoreImage());
    assertEquals(Path.of("/data/m1/fixtures/client"), dir.fixturesDir("client"));
    assertEquals(Path.of("/data/m1/fixtures/peer"), dir.fixturesDir("peer"));
    assertEquals(Path.of("/data/m1/fixtures/client/keystore.p12"), dir.autoTlsKeystore("client"));
    assertEquals(Path.of("/data/m1/fixtures/peer/cert.pem"), dir.autoTlsCert("peer"));
  }

  @Test
  void imageNamesCarryTheIndexIn16HexDigits() {
    // A restart finds an install cut short by this name: it must not change.
    assertEquals(Path.of("/data/m1/member/snap/00000000000186a0.image"), dir.installingImage(100_000));
    assertEquals(Path.of("/data/m1/member/snap/outgoing-000000000000002a-3.image"), dir.outgoingImage(42, 3));
    assertEquals(Path.of("/data/m1/member/snap/ffffffffffffffff.image"), dir.installingImage(-1));
  }

  @Test
  void aRelativeDataDirStaysRelative() {
    assertEquals(Path.of("m1.etcd/member/wal"), new DataDir(Path.of("m1.etcd")).walDir());
  }
}
