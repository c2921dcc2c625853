package io.vetch.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** save and recover: the tree with its TTLs, the index, the history and the counters come back equal. */
class StoreCodecTest {
  private static final long SEC = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(1_800_000_000L * SEC);
  private final V2Store s = new V2Store(now::get);

  private V2Store filled() {
    s.create("/foo", true, "", false, V2TtlOptions.PERMANENT);
    s.create("/foo/x", false, "bar", false, V2TtlOptions.PERMANENT);
    s.create("/foo/y", false, "baz", false, V2TtlOptions.expireAt(now.get() + 5 * SEC));
    s.create("/foo/_h", false, "\u00e9\ud83d\ude00", false, V2TtlOptions.PERMANENT);
    s.create("/ttldir", true, "", false, V2TtlOptions.expireAt(now.get() + 3 * SEC));
    s.create("/q", false, "j", true, V2TtlOptions.PERMANENT);
    s.update("/foo/x", "", new V2TtlOptions(now.get() + 9 * SEC, true));
    s.delete("/q", true, true);
    for (int i = 0; i < 1200; i++) {
      s.set("/loop", false, Integer.toString(i), V2TtlOptions.PERMANENT);
    }
    s.get("/foo", true, true);
    return s;
  }

  private static String events(V2Store st, String key, long since) {
    List<V2Event> seen = new ArrayList<>();
    st.watch(key, true, false, since).onEvent(seen::add);
    return seen.isEmpty() ? "none" : seen.get(0).toJson() + " @" + seen.get(0).etcdIndex();
  }

  @Test
  void aRecoveredStoreEqualsTheSavedOne() {
    filled();
    byte[] saved = s.save();
    assertArrayEquals(saved, V2Store.recover(saved).save(), "saving the recovered store gives the same bytes");
    V2Store r = new V2Store(now::get);
    r.restore(saved);
    assertEquals(s.index(), r.index());
    assertEquals(s.get("/", true, true).toJson(), r.get("/", true, true).toJson());
    assertEquals(s.get("/foo/_h", false, false).toJson(), r.get("/foo/_h", false, false).toJson());
    assertEquals(s.statsJson(), r.statsJson());
    for (long since = s.index() - 999; since <= s.index() + 1; since += 37) {
      assertEquals(events(s, "/loop", since), events(r, "/loop", since));
    }
    assertEquals(events(s, "/", s.index() - 999), events(r, "/", s.index() - 999));
    assertThrows(V2Error.class, () -> r.watch("/", true, false, s.index() - 1000));
    assertTrue(r.hasTtlKeys());
  }

  @Test
  void ttlsComeBackAndExpireTheSame() {
    filled();
    V2Store r = new V2Store(now::get);
    r.restore(s.save());
    assertEquals(5, r.get("/foo/y", false, false).node().ttl());
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    s.watch("/", true, true, 0).onEvent(e -> a.add(e.toJson()));
    r.watch("/", true, true, 0).onEvent(e -> b.add(e.toJson()));
    s.deleteExpiredKeys(now.get() + 10 * SEC);
    r.deleteExpiredKeys(now.get() + 10 * SEC);
    assertEquals(3, a.size(), a.toString());
    assertEquals(a, b);
    assertEquals(s.get("/", true, true).toJson(), r.get("/", true, true).toJson());
  }

  @Test
  void restoreKeepsTheWaitingWatches() {
    V2Store r = new V2Store(now::get);
    List<V2Event> seen = new ArrayList<>();
    r.watch("/foo/x", false, false, 0).onEvent(seen::add);
    filled();
    s.set("/foo/x", false, "after", V2TtlOptions.PERMANENT);
    r.restore(s.save());
    assertTrue(seen.isEmpty());
    r.set("/foo/x", false, "next", V2TtlOptions.PERMANENT);
    assertEquals("next", seen.get(0).node().value());
    assertEquals(s.index() + 1, seen.get(0).etcdIndex());
  }

  @Test
  void anEmptyStoreRoundTrips() {
    V2Store r = V2Store.recover(new V2Store().save());
    assertEquals(0, r.index());
    assertEquals("{\"action\":\"get\",\"node\":{\"dir\":true}}", r.get("/", true, false).toJson());
    assertTrue(r.watch("/", true, false, 1) != null);
  }

  @Test
  void damagedBytesAreRefused() {
    byte[] saved = filled().save();
    for (int at : new int[] {0, 5, 9, 30, saved.length / 2, saved.length - 5, saved.length - 1}) {
      byte[] bad = saved.clone();
      bad[at] ^= 0x40;
      assertThrows(IllegalArgumentException.class, () -> V2Store.recover(bad), "flipped byte " + at);
    }
    assertThrows(IllegalArgumentException.class, () -> V2Store.recover(Arrays.copyOf(saved, saved.length - 9)));
    assertThrows(IllegalArgumentException.class, () -> V2Store.recover(new byte[3]));
    byte[] v2 = saved.clone();
    ByteBuffer.wrap(v2).putInt(4, 2);
    CRC32C crc = new CRC32C();
    crc.update(v2, 0, v2.length - 4);
    ByteBuffer.wrap(v2).putInt(v2.length - 4, (int) crc.getValue());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> V2Store.recover(v2));
    assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    V2Store r = new V2Store();
    r.set("/kept", false, "v", V2TtlOptions.PERMANENT);
    assertThrows(IllegalArgumentException.class, () -> r.restore(Arrays.copyOf(saved, 40)));
    assertEquals("v", r.get("/kept", false, false).node().value(), "a refused state leaves the store as it was");
  }
}
