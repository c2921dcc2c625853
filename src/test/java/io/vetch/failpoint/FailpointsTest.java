package io.vetch.failpoint;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The failpoint syntax and the OS errors they throw (Surefire runs tests with -Dvetch.failpoints=). */
class FailpointsTest {
  private static final Path FILE = Path.of("/data/n1/member/wal/0000000000000000-0000000000000001.wal");

  @AfterEach
  void off() {
    Failpoints.clear();
  }

  @Test
  void enabledInTestsAndSilentUntilSet() {
    assertTrue(Failpoints.ENABLED, "Surefire's -Dvetch.failpoints= turns them on");
    assertDoesNotThrow(() -> Failpoints.check(Failpoints.WAL_FSYNC, FILE));
  }

  @Test
  void errorThrowsTheOsMessageCountTimesOnMatchingFilesOnly() throws IOException {
    Failpoints.set(Failpoints.WAL_FSYNC, "2*error(EIO)@/n1/");
    Failpoints.check(Failpoints.WAL_FSYNC, Path.of("/data/n2/member/wal/x.wal")); // another member's file
    Failpoints.check(Failpoints.WAL_WRITE, FILE); // another point
    IOException e = assertThrows(IOException.class, () -> Failpoints.check(Failpoints.WAL_FSYNC, FILE));
    assertEquals("Input/output error", e.getMessage());
    assertThrows(IOException.class, () -> Failpoints.check(Failpoints.WAL_FSYNC, FILE));
    Failpoints.check(Failpoints.WAL_FSYNC, FILE); // fired twice: off now
    UncheckedIOException u = assertThrows(UncheckedIOException.class, () -> {
      Failpoints.set(Failpoints.STORE_WRITE, "error(ENOSPC)");
      Failpoints.checkUnchecked(Failpoints.STORE_WRITE, FILE);
    });
    assertEquals("No space left on device", u.getCause().getMessage());
    Failpoints.set(Failpoints.STORE_WRITE, "off");
    Failpoints.checkUnchecked(Failpoints.STORE_WRITE, FILE);
  }

  @Test
  void badTermsAreRefusedWithTheSyntax() {
    var e = assertThrows(IllegalArgumentException.class, () -> Failpoints.set("walWrite", "panic"));
    assertTrue(e.getMessage().contains("[N*]error(ERRNO)[@path] or off"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Failpoints.set("walWrite", "error(EAGAIN)"));
    assertTrue(e.getMessage().contains("unknown error EAGAIN"), e.getMessage());
  }

  @Test
  void storageFaultNamesOperationFileAndOsError() {
    StorageFault f = new StorageFault("wal fsync", FILE, new IOException("Input/output error"));
    assertEquals("wal fsync " + FILE + ": Input/output error", f.getMessage());
    assertEquals(f, StorageFault.in(new UncheckedIOException(new IOException("persisting", f))));
    assertEquals("No space left on device",
        StorageFault.osError(new IllegalStateException("x", new IOException("Not enough space to fallocate 91 MiB"))));
    assertTrue(StorageFault.osError(new InternalError("a fault occurred in an unsafe memory access operation"))
        .startsWith("memory-mapped write failed"));
    assertEquals("Read-only file system",
        StorageFault.osError(new java.nio.file.FileSystemException("/x", null, "Read-only file system")));
  }
}
