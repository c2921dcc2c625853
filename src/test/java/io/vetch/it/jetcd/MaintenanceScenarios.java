package io.vetch.it.jetcd;

import static io.vetch.it.jetcd.KvScenarios.b;
import static io.vetch.it.jetcd.KvScenarios.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import java.io.ByteArrayOutputStream;

/** Maintenance scenarios run by jetcd against a vetch endpoint (in jetcd's own class loader; see IsolatedJetcd). */
public final class MaintenanceScenarios {
  private MaintenanceScenarios() {}

  /** Status, alarms, HashKV, Defragment and Snapshot through jetcd's Maintenance client. */
  public static void statusHashDefragSnapshot(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      for (int i = 0; i < 50; i++) {
        get(c.getKVClient().put(b("jm/" + i), b("v" + i)));
      }
      get(c.getKVClient().delete(b("jm/"), io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build()));
      var maintenance = c.getMaintenanceClient();
      var status = get(maintenance.statusMember(endpoint));
      assertEquals("3.5.0", status.getVersion());
      assertTrue(status.getDbSize() > 0, "db size " + status.getDbSize());
      assertEquals(0, get(maintenance.listAlarms()).getAlarms().size());
      long rev = status.getHeader().getRevision();
      var hash = get(maintenance.hashKV(endpoint, rev));
      get(c.getKVClient().put(b("jm/later"), b("x")));
      assertEquals(hash.getHash(), get(maintenance.hashKV(endpoint, rev)).getHash(), "a later write leaves it");
      get(c.getKVClient().compact(rev));
      get(maintenance.defragmentMember(endpoint));
      var after = get(maintenance.statusMember(endpoint));
      assertTrue(after.getDbSize() < status.getDbSize(), "defrag reclaimed nothing: " + after.getDbSize());
      ByteArrayOutputStream backup = new ByteArrayOutputStream();
      get(maintenance.snapshot(backup));
      assertEquals(32, backup.size() % 512, "a backup ends with its SHA-256 after whole 512-byte blocks");
    }
  }
}
