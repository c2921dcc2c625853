package io.vetch.mvcc;

import static io.vetch.mvcc.StoreFixture.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HashKV: equal histories hash equal whatever physical compaction has done; any difference shows. */
class KvHashTest {
  @TempDir
  Path dir;

  private static void history(KvStore s, String lastValue) throws Exception {
    for (int i = 1; i <= 50; i++) {
      put(s, i, "k" + (i % 7), "v" + i);
    }
    put(s, 51, "last", lastValue);
    s.compact(20, 52);
  }

  @Test
  void equalHistoriesHashEqualAtEveryRevision() throws Exception {
    try (KvStore a = KvStore.open(dir.resolve("a"), StoreFixture.SMALL);
      KvStore b = KvStore.open(dir.resolve("b"), StoreFixture.SMALL);
      KvStore c = KvStore.open(dir.resolve("c"), StoreFixture.SMALL)) {
      history(a, "same");
      history(b, "same");
      history(c, "different");
      while (!a.compactStep(5)) {
        // a has physically deleted its compacted records, b has not
      }
      assertEquals(KvHash.compute(a, 0), KvHash.compute(b, 0));
      assertEquals(KvHash.compute(a, 30), KvHash.compute(b, 30));
      assertEquals(KvHash.compute(a, 30), KvHash.compute(c, 30), "c differs only after revision 30");
      assertNotEquals(KvHash.compute(a, 0).hash(), KvHash.compute(c, 0).hash());
      assertEquals(new KvHash.Result(KvHash.compute(a, 0).hash(), 52, 20), KvHash.compute(a, 0));
      assertThrows(CompactedException.class, () -> KvHash.compute(a, 10));
      assertThrows(FutureRevisionException.class, () -> KvHash.compute(a, 99));
    }
  }
}
