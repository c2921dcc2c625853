package io.vetch.server.alarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.etcdserverpb.AlarmType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alarms: raised and cleared idempotently, listed by type, persisted across a reload, carried in snapshots. */
class AlarmStoreTest {
  @TempDir Path dir;

  @Test
  void activateDeactivatePersist() throws Exception {
    Path file = dir.resolve("alarms");
    AlarmStore a = AlarmStore.load(file);
    assertTrue(a.get(AlarmType.NONE).isEmpty());
    assertEquals(AlarmType.NOSPACE, a.activate(2, AlarmType.NOSPACE).getAlarm());
    assertNull(a.activate(2, AlarmType.NOSPACE), "already raised");
    a.activate(1, AlarmType.CORRUPT);
    assertEquals(2, a.get(AlarmType.NONE).size());
    assertEquals(1, a.get(AlarmType.CORRUPT).get(0).getMemberID());
    assertTrue(a.active(AlarmType.NOSPACE));

    AlarmStore reloaded = AlarmStore.load(file);
    assertEquals(a.get(AlarmType.NONE), reloaded.get(AlarmType.NONE));
    assertNull(reloaded.deactivate(3, AlarmType.NOSPACE), "not raised for member 3");
    assertEquals(2, reloaded.deactivate(2, AlarmType.NOSPACE).getMemberID());
    assertFalse(AlarmStore.load(file).active(AlarmType.NOSPACE));

    AlarmStore fromSnapshot = AlarmStore.inMemory();
    fromSnapshot.restore(reloaded.toBytes());
    assertEquals(reloaded.get(AlarmType.NONE), fromSnapshot.get(AlarmType.NONE));
  }
}
