package io.vetch.v2;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Map;

/**
 * Fuzzes the v2 store's snapshot bytes (the v2 section of a Raft snapshot, which a damaged disk or a peer may hand
 * back): {@link V2Store#recover} must give a store or refuse with IllegalArgumentException, and a store it gives
 * must save and list itself.
 */
class V2StoreFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void recover(byte[] data) {
    V2Store store;
    try {
      store = V2Store.recover(data);
    } catch (IllegalArgumentException refused) {
      return;
    }
    store.save();
    store.get("/", true, true).toJson();
  }

  static Map<String, Map<String, byte[]>> seeds() {
    V2Store s = new V2Store();
    s.set("/a", false, "1", V2TtlOptions.PERMANENT);
    s.create("/dir", true, "", false, V2TtlOptions.PERMANENT);
    s.create("/dir", false, "in order", true, V2TtlOptions.expireAt(4_000_000_000_000_000_000L));
    s.compareAndSwap("/a", "1", 0, "2", V2TtlOptions.PERMANENT);
    s.delete("/a", false, false);
    return Map.of("recover", Map.of("store", s.save(), "empty", new V2Store().save()));
  }
}
