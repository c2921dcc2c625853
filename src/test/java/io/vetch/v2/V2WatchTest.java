package io.vetch.v2;

import static io.vetch.v2.V2StoreTest.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Watches: waiting, from the history, streams, hidden keys; from etcd's store_test.go, event_test.go and more. */
class V2WatchTest {
  private static final V2TtlOptions P = V2TtlOptions.PERMANENT;
  private final V2Store s = new V2Store(() -> 2_000_000_000_000_000_000L);

  /** The events a watch delivers. */
  private static List<V2Event> events(V2Watcher w) {
    List<V2Event> seen = new ArrayList<>();
    w.onEvent(seen::add);
    return seen;
  }

  private static int watchers(V2Store s) {
    return s.hub.count();
  }

  @Test
  void aWatchWaitsForItsKeyThenLeaves() {
    V2Watcher w = s.watch("/foo", false, false, 0);
    assertEquals(0, w.startIndex());
    List<V2Event> seen = events(w);
    s.create("/bar", false, "x", false, P);
    assertTrue(seen.isEmpty());
    s.create("/foo", false, "bar", false, P);
    assertEquals(1, seen.size());
    assertEquals("create", seen.get(0).action());
    assertEquals(2, seen.get(0).etcdIndex());
    assertEquals(0, watchers(s));
    s.update("/foo", "baz", P);
    assertEquals(1, seen.size(), "a watch that is not a stream gets one event");
  }

  @Test
  void everyKindOfWriteIsSeenDirectlyAndRecursively() {
    s.create("/foo/bar", false, "a", false, P);
    List<List<String>> got = new ArrayList<>();
    Runnable[] writes = {
        () -> s.update("/foo/bar", "b", P),
        () -> s.set("/foo/bar", false, "c", P),
        () -> s.compareAndSwap("/foo/bar", "c", 0, "d", P),
        () -> s.compareAndDelete("/foo/bar", "d", 0),
        () -> s.create("/foo/bar", false, "e", false, P),
        () -> s.delete("/foo/bar", false, false)};
    for (Runnable write : writes) {
      List<V2Event> direct = events(s.watch("/foo/bar", false, false, 0));
      List<V2Event> recursive = events(s.watch("/foo", true, false, 0));
      List<V2Event> notRecursive = events(s.watch("/foo", false, false, 0));
      write.run();
      assertEquals(direct, recursive);
      assertTrue(notRecursive.isEmpty());
      got.add(direct.stream().map(e -> e.action() + " " + e.node().key()).toList());
    }
    assertEquals(List.of(List.of("update /foo/bar"), List.of("set /foo/bar"), List.of("compareAndSwap /foo/bar"),
        List.of("compareAndDelete /foo/bar"), List.of("create /foo/bar"), List.of("delete /foo/bar")), got);
    assertEquals(6, watchers(s), "the non-recursive watches of /foo still wait");
  }

  @Test
  void deletingADirectoryTellsTheWatchesBelowIt() {
    s.create("/dir/a/b", false, "x", false, P);
    List<V2Event> below = events(s.watch("/dir/a/b", false, false, 0));
    List<V2Event> dirItself = events(s.watch("/dir", false, false, 0));
    s.delete("/dir", true, true);
    assertEquals(1, below.size());
    assertEquals("/dir", below.get(0).node().key());
    assertEquals(1, dirItself.size());
  }

  @Test
  void aStreamKeepsReceiving() {
    V2Watcher w = s.watch("/foo", false, true, 0);
    List<V2Event> seen = events(w);
    s.create("/foo", false, "bar", false, P);
    s.update("/foo", "baz", P);
    assertEquals(List.of("create", "update"), seen.stream().map(V2Event::action).toList());
    assertEquals(List.of(1L, 2L), seen.stream().map(V2Event::etcdIndex).toList());
    assertEquals(1, watchers(s));
    w.remove();
    w.remove();
    assertEquals(0, watchers(s));
    s.update("/foo", "qux", P);
    assertEquals(2, seen.size());
  }

  @Test
  void eventsBeforeTheConsumerAreKeptForIt() {
    V2Watcher w = s.watch("/k", true, true, 0);
    s.set("/k/1", false, "a", P);
    s.set("/k/2", false, "b", P);
    List<V2Event> seen = events(w);
    s.set("/k/3", false, "c", P);
    assertEquals(List.of("/k/1", "/k/2", "/k/3"), seen.stream().map(e -> e.node().key()).toList());
  }

  @Test
  void hiddenKeysAreSeenOnlyByTheirOwnWatches() {
    List<V2Event> own = events(s.watch("/_foo", false, false, 0));
    s.create("/_foo", false, "bar", false, P);
    assertEquals("/_foo", own.get(0).node().key());
    List<V2Event> rec = events(s.watch("/foo", true, true, 0));
    s.create("/foo/_bar", false, "baz", false, P);
    s.create("/foo/_baz", true, "", false, P);
    s.create("/foo/_baz/quux", false, "quux", false, P);
    s.update("/foo/_bar", "x", P);
    s.delete("/foo/_bar", false, false);
    assertTrue(rec.isEmpty());
    List<V2Event> deeper = events(s.watch("/_foo2/bar", true, false, 0));
    s.create("/_foo2/bar/baz", false, "baz", false, P);
    assertEquals("/_foo2/bar/baz", deeper.get(0).node().key());
    List<V2Event> ownDelete = events(s.watch("/_foo", false, false, 0));
    s.delete("/_foo", false, false);
    assertEquals("delete", ownDelete.get(0).action());
    assertTrue(V2Path.hiddenBelow("/", "/_foo"));
    assertFalse(V2Path.hiddenBelow("/_foo", "/_foo"));
    assertFalse(V2Path.hiddenBelow("/_foo", "/_foo/foo"));
    assertTrue(V2Path.hiddenBelow("/_foo", "/_foo/_foo"));
    assertFalse(V2Path.hiddenBelow("_foo/foo", "/_foo/"));
  }

  @Test
  void aWatchFromThePastIsAnsweredFromTheHistory() {
    s.create("/foo", false, "1", false, P);
    s.create("/foo2", false, "1", false, P);
    s.set("/dir/a", false, "1", P);
    s.set("/dir/b", false, "1", P);
    s.delete("/dir", true, true);
    V2Watcher w = s.watch("/foo", false, false, 1);
    assertEquals(5, w.startIndex());
    List<V2Event> seen = events(w);
    assertEquals(1, seen.get(0).index());
    assertEquals(5, seen.get(0).etcdIndex(), "a past event comes with the store's index");
    assertEquals(0, watchers(s), "an answered watch does not wait");
    assertEquals(3, events(s.watch("/dir", true, false, 2)).get(0).index());
    assertEquals(4, events(s.watch("/dir/b", false, false, 2)).get(0).index());
    assertEquals(5, events(s.watch("/dir/a", false, false, 4)).get(0).index(), "the directory's deletion");
    assertEquals(5, events(s.watch("/dirx", false, false, 4)).get(0).index(), "etcd matches the prefix as text");
    assertEquals(2, events(s.watch("/", true, false, 2)).get(0).index());
    assertTrue(events(s.watch("/foo", false, false, 2)).isEmpty());
    assertEquals(1, watchers(s));
    List<V2Event> stream = events(s.watch("/foo2", false, true, 1));
    assertEquals(1, stream.size());
    s.update("/foo2", "2", P);
    assertEquals(1, stream.size(), "as in etcd, a stream answered from the history gets no more");
  }

  @Test
  void theHistoryKeepsTheLast1000Events() {
    for (int i = 1; i <= 1027; i++) {
      s.set("/loop", false, Integer.toString(i), P);
    }
    V2Error e = error(V2Error.EVENT_INDEX_CLEARED, "the requested history has been cleared [28/5]", 1027,
        () -> s.watch("/loop", false, false, 5));
    assertEquals(400, e.status());
    error(V2Error.EVENT_INDEX_CLEARED, "the requested history has been cleared [28/27]", 1027,
        () -> s.watch("/", true, false, 27));
    assertEquals(28, events(s.watch("/loop", false, false, 28)).get(0).index());
    assertEquals(1027, events(s.watch("/loop", false, false, 1027)).get(0).index());
    assertTrue(events(s.watch("/loop", false, false, 1028)).isEmpty());
  }

  @Test
  void aFullHistoryStillScans() {
    for (int i = 1; i <= 3000; i++) {
      s.set("/foo", false, "v", P);
      if (i > 1) {
        assertEquals(i - 1, events(s.watch("/foo", true, false, i - 1)).get(0).index());
      }
    }
  }

  @Test
  void removeFromAnotherThreadWhileWritesGoOn() throws InterruptedException {
    List<V2Watcher> ws = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ws.add(s.watch("/k", true, true, 0));
      ws.get(i).onEvent(e -> { });
    }
    CountDownLatch done = new CountDownLatch(1);
    Thread remover = new Thread(() -> {
      ws.forEach(V2Watcher::remove);
      done.countDown();
    });
    remover.start();
    for (int i = 0; i < 500; i++) {
      s.set("/k/x", false, "v" + i, P);
    }
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(0, watchers(s));
  }

  @Test
  void aFailingConsumerLosesItsWatchOnly() {
    V2Watcher bad = s.watch("/k", false, true, 0);
    bad.onEvent(e -> {
      throw new IllegalStateException("consumer bug");
    });
    List<V2Event> good = events(s.watch("/k", false, true, 0));
    s.set("/k", false, "1", P);
    s.set("/k", false, "2", P);
    assertEquals(2, good.size());
    assertEquals(1, watchers(s));
    assertEquals("2", s.get("/k", false, false).node().value());
  }
}
