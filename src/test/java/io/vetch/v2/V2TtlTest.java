package io.vetch.v2;

import static io.vetch.v2.V2StoreTest.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** TTLs: the ttl shown, expiry through deleteExpiredKeys at a given time, refresh; from etcd's store_ttl_test.go. */
class V2TtlTest {
  private static final long SEC = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final V2TtlOptions P = V2TtlOptions.PERMANENT;
  /** A fake clock well after 2000-01-01 (etcd's minExpireTime). */
  private final AtomicLong now = new AtomicLong(1_800_000_000L * SEC);
  private final V2Store s = new V2Store(now::get);

  private V2TtlOptions in(long nanos) {
    return V2TtlOptions.expireAt(now.get() + nanos);
  }

  private V2TtlOptions refreshIn(long nanos) {
    return new V2TtlOptions(now.get() + nanos, true);
  }

  private void advance(long nanos) {
    now.addAndGet(nanos);
    s.deleteExpiredKeys(now.get());
  }

  @Test
  void expiryBefore2000MeansPermanent() {
    s.create("/foo", false, "Y", false, V2TtlOptions.expireAt(3 * SEC));
    s.deleteExpiredKeys(now.get());
    V2Event e = s.get("/foo", true, false);
    assertEquals(0, e.node().ttl());
    assertEquals(0, e.node().expiration());
    assertFalse(s.hasTtlKeys());
  }

  @Test
  void ttlIsShownRoundedUpAndHiddenNodesAreNotListed() {
    s.create("/foo", true, "", false, P);
    s.create("/foo/bar", false, "X", false, P);
    s.create("/foo/_hidden", false, "*", false, P);
    s.create("/foo/baz", true, "", false, P);
    s.create("/foo/baz/bat", false, "Y", false, P);
    s.create("/foo/baz/_hidden", false, "*", false, P);
    V2Event created = s.create("/foo/baz/ttl", false, "Y", false, in(3 * SEC));
    assertEquals(3, created.node().ttl());
    assertEquals(now.get() + 3 * SEC, created.node().expiration());
    V2Event e = s.get("/foo", true, false);
    assertEquals(7, e.etcdIndex());
    assertEquals(List.of("/foo/bar", "/foo/baz"), e.node().nodes().stream().map(V2NodeExtern::key).toList());
    List<V2NodeExtern> baz = e.node().nodes().get(1).nodes();
    assertEquals(List.of("/foo/baz/bat", "/foo/baz/ttl"), baz.stream().map(V2NodeExtern::key).toList());
    assertEquals(3, baz.get(1).ttl());
    now.addAndGet(SEC / 2);
    assertEquals(3, s.get("/foo/baz/ttl", false, false).node().ttl(), "2.5 s left shows as 3");
    now.addAndGet(SEC / 2);
    assertEquals(2, s.get("/foo/baz/ttl", false, false).node().ttl());
    now.addAndGet(3 * SEC);
    assertEquals(-1, s.get("/foo/baz/ttl", false, false).node().ttl(), "an overdue key not yet expired");
  }

  @Test
  void updateSetsAndRemovesTtls() {
    s.create("/foo", false, "bar", false, P);
    s.update("/foo", "baz", in(500 * MS));
    assertEquals("baz", s.get("/foo", false, false).node().value());
    assertTrue(s.hasTtlKeys());
    advance(600 * MS);
    error(V2Error.KEY_NOT_FOUND, "/foo", 3, () -> s.get("/foo", false, false));
    s.create("/p", false, "v", false, in(SEC));
    V2Event e = s.update("/p", "w", P);
    assertEquals(0, e.node().ttl());
    assertEquals(1, e.prevNode().ttl());
    assertFalse(s.hasTtlKeys());
    advance(10 * SEC);
    assertEquals("w", s.get("/p", false, false).node().value());
  }

  @Test
  void anExpiringDirectoryTakesItsChildren() {
    s.create("/foo", true, "", false, P);
    s.create("/foo/bar", false, "baz", false, P);
    s.create("/foo/ttl", false, "t", false, in(10 * SEC));
    V2Event e = s.update("/foo", "", in(500 * MS));
    assertTrue(e.node().dir());
    assertEquals(4, e.etcdIndex());
    advance(600 * MS);
    error(V2Error.KEY_NOT_FOUND, "/foo", 5, () -> s.get("/foo/bar", false, false));
    assertFalse(s.hasTtlKeys(), "the child's TTL left with it");
    advance(20 * SEC);
    assertEquals(5, s.index());
  }

  @Test
  void expiryIsInExpiryOrderOneIndexEach() {
    s.create("/foo", false, "bar", false, in(400 * MS));
    s.create("/foofoo", false, "barbarbar", false, in(450 * MS));
    s.create("/foodir", true, "", false, in(500 * MS));
    s.create("/foodir/child", false, "c", false, P);
    List<V2Event> seen = new ArrayList<>();
    V2Watcher w = s.watch("/", true, true, 0);
    w.onEvent(seen::add);
    assertEquals(4, w.startIndex());
    s.deleteExpiredKeys(now.get() + 399 * MS);
    assertTrue(seen.isEmpty());
    advance(500 * MS);
    assertEquals(List.of("/foo", "/foofoo", "/foodir"), seen.stream().map(e -> e.node().key()).toList());
    assertEquals(List.of(5L, 6L, 7L), seen.stream().map(V2Event::etcdIndex).toList());
    V2Event dir = seen.get(2);
    assertEquals(new V2NodeExtern("/foodir", null, true, 0, 0, null, 7, 3), dir.node());
    assertEquals(new V2NodeExtern("/foodir", null, true, now.get(), 0, null, 3, 3), dir.prevNode());
    assertEquals("expire", dir.action());
    assertEquals(3, s.stats().get(V2Stats.Counter.EXPIRE_COUNT));
    assertEquals(7, s.index());
  }

  @Test
  void aRefreshKeepsTheValueAndNotifiesNoOne() {
    s.create("/foo", false, "bar", false, in(500 * MS));
    s.create("/foofoo", false, "barbarbar", false, in(1200 * MS));
    List<V2Event> seen = new ArrayList<>();
    s.watch("/", true, false, 0).onEvent(seen::add);
    advance(600 * MS);
    assertEquals("/foo", seen.get(0).node().key());
    V2Event r = s.update("/foofoo", "", refreshIn(500 * MS));
    assertTrue(r.refresh());
    assertEquals("barbarbar", r.node().value());
    assertEquals(4, r.etcdIndex());
    seen.clear();
    V2Watcher w = s.watch("/", true, false, 4);
    w.onEvent(seen::add);
    assertEquals(4, w.startIndex());
    assertTrue(seen.isEmpty(), "a refresh in the history is skipped");
    advance(700 * MS);
    assertEquals(5, seen.get(0).etcdIndex());
    assertEquals("expire", seen.get(0).action());
    assertEquals("/foofoo", seen.get(0).node().key());
    assertEquals("barbarbar", seen.get(0).prevNode().value());
  }

  @Test
  void anUpdateWithoutRefreshNotifies() {
    s.create("/foo", false, "bar", false, in(500 * MS));
    advance(200 * MS);
    s.update("/foo", "", in(500 * MS));
    List<V2Event> seen = new ArrayList<>();
    V2Watcher w = s.watch("/", true, false, 2);
    w.onEvent(seen::add);
    assertEquals(2, w.startIndex());
    assertEquals("update", seen.get(0).action());
    assertEquals("bar", seen.get(0).prevNode().value());
    assertEquals("", seen.get(0).node().value());
  }

  @Test
  void refreshWorksForSetUpdateAndCompareAndSwap() {
    s.create("/foo", false, "bar", false, in(500 * MS));
    s.create("/bar", true, "", false, in(500 * MS));
    assertEquals("bar", s.update("/foo", "", refreshIn(900 * MS)).node().value());
    V2Event set = s.set("/foo", false, "", refreshIn(1900 * MS));
    assertEquals("bar", set.node().value());
    assertEquals(2, set.node().ttl());
    assertEquals(1, set.prevNode().ttl());
    assertTrue(s.update("/bar", "", refreshIn(900 * MS)).node().dir());
    V2Event cas = s.compareAndSwap("/foo", "bar", 0, "", refreshIn(2900 * MS));
    assertEquals("bar", cas.node().value());
    assertEquals(3, cas.node().ttl());
    assertTrue(cas.refresh());
    advance(1 * SEC);
    error(V2Error.KEY_NOT_FOUND, "/bar", 7, () -> s.get("/bar", false, false));
    advance(2 * SEC);
    error(V2Error.KEY_NOT_FOUND, "/foo", 8, () -> s.get("/foo", false, false));
  }

  @Test
  void expiryOfHiddenKeysIsNotSeenByRecursiveWatches() {
    s.create("/_foo", false, "bar", false, in(500 * MS));
    s.create("/foofoo", false, "barbarbar", false, in(1000 * MS));
    List<V2Event> seen = new ArrayList<>();
    s.watch("/", true, false, 0).onEvent(seen::add);
    advance(600 * MS);
    assertTrue(seen.isEmpty());
    advance(600 * MS);
    assertEquals("/foofoo", seen.get(0).node().key());
    assertEquals("expire", seen.get(0).action());
  }

  @Test
  void aTtlKeyReplacedBySetLeavesTheHeap() {
    s.set("/k", false, "1", in(SEC));
    s.set("/k", false, "2", P);
    assertFalse(s.hasTtlKeys());
    s.set("/k", false, "3", in(SEC));
    s.delete("/k", false, false);
    assertFalse(s.hasTtlKeys());
    s.set("/k", false, "4", in(SEC));
    s.compareAndDelete("/k", "4", 0);
    assertFalse(s.hasTtlKeys());
    advance(5 * SEC);
    assertEquals(6, s.index(), "nothing left to expire");
    assertNull(s.get("/", true, false).node().nodes().stream().findAny().orElse(null));
  }
}
