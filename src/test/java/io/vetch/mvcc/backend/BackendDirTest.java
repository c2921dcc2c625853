package io.vetch.mvcc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendDirTest {
  @TempDir
  Path dir;

  @Test
  void storeDirItselfUntilTheFirstSwitch() throws Exception {
    assertEquals(dir, BackendDir.resolve(dir));
    Path fresh = BackendDir.create(dir);
    assertEquals(dir.resolve("backend-1"), fresh);
    Files.write(fresh.resolve(Backend.REVISIONS_FILE), new byte[] {1});
    // no switch (a crash while building): the legacy layout stays live and the new directory is garbage
    assertEquals(dir, BackendDir.resolve(dir));
    assertFalse(Files.exists(fresh));
  }

  @Test
  void switchMovesThePointerAndResolveDeletesTheOldBackend() throws Exception {
    Files.write(dir.resolve(Backend.REVISIONS_FILE), new byte[] {1});
    Files.write(dir.resolve(Backend.META_FILE), new byte[] {1});
    Files.write(dir.resolve("unrelated"), new byte[] {1});
    Path first = BackendDir.create(dir);
    BackendDir.switchTo(dir, first);
    assertEquals("backend-1\n", Files.readString(dir.resolve(BackendDir.CURRENT)));
    assertTrue(Files.exists(dir.resolve(Backend.REVISIONS_FILE)), "old files stay until resolve");
    assertEquals(first, BackendDir.resolve(dir));
    assertFalse(Files.exists(dir.resolve(Backend.REVISIONS_FILE)));
    assertFalse(Files.exists(dir.resolve(Backend.META_FILE)));
    assertTrue(Files.exists(dir.resolve("unrelated")), "only backend files are deleted");

    Path second = BackendDir.create(dir);
    assertEquals(dir.resolve("backend-2"), second);
    BackendDir.switchTo(dir, second);
    assertEquals(second, BackendDir.resolve(dir));
    assertFalse(Files.exists(first));
  }

  @Test
  void pointerToNothingIsAnError() throws Exception {
    Files.writeString(dir.resolve(BackendDir.CURRENT), "backend-9\n");
    assertThrows(IOException.class, () -> BackendDir.resolve(dir));
    Files.writeString(dir.resolve(BackendDir.CURRENT), "../elsewhere\n");
    assertThrows(IOException.class, () -> BackendDir.resolve(dir));
  }
}
