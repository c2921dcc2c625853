package io.vetch.mvcc;

import java.nio.file.Path;

/**
 * Child-process body for {@link KvStoreRecoveryTest#survivesKillDashNine}: applies txns forever, txn i (raft index
 * i) putting keys k0..k4 = "i", and prints "ready" once READY_AFTER more are applied, so the parent can SIGKILL it at an
 * arbitrary point, possibly in the middle of a txn, of a batch or of a Chronicle Map write.
 */
final class CrashingWriter {
  static final int KEYS = 5;
  static final int READY_AFTER = 200;

  private CrashingWriter() {
  }

  public static void main(String[] args) throws Exception {
    KvStore store = KvStore.open(Path.of(args[0]), StoreFixture.SMALL);
    long first = store.consistentIndex() + 1;
    for (long i = first; ; i++) {
      WriteTxn t = store.write(i);
      for (int k = 0; k < KEYS; k++) {
        t.put(StoreFixture.b("k" + k), StoreFixture.b(Long.toString(i)), 0);
      }
      t.end();
      if (i % 7 == 0) {
        store.persistConsistentIndex(); // the storage worker persists it once per applied batch
      }
      if (i == first + READY_AFTER) {
        System.out.println("ready");
        System.out.flush();
      }
    }
  }
}
