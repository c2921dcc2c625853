package io.vetch.it.jetcd;

import static io.vetch.it.jetcd.KvScenarios.b;
import static io.vetch.it.jetcd.KvScenarios.get;
import static io.vetch.it.jetcd.KvScenarios.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Watch scenarios run by jetcd against a vetch endpoint (in jetcd's own class loader; see IsolatedJetcd). */
public final class WatchScenarios {
  private WatchScenarios() {}

  static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  static String describe(WatchEvent e) {
    return e.getEventType() + " " + s(e.getKeyValue().getKey())
        + (e.getEventType() == WatchEvent.EventType.PUT ? "=" + s(e.getKeyValue().getValue()) : "")
        + (e.getPrevKV() != null && e.getPrevKV().getVersion() > 0 ? " prev=" + s(e.getPrevKV().getValue()) : "");
  }

  /** Prefix watch with prev_kv sees puts and deletes in order; a key outside the prefix is not seen. */
  public static void prefixWithPrevKv(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      List<String> seen = new CopyOnWriteArrayList<>();
      try (Watch.Watcher w = c.getWatchClient().watch(b("jw/"), WatchOption.builder().isPrefix(true)
          .withPrevKV(true).build(), r -> r.getEvents().forEach(e -> seen.add(describe(e))))) {
        Thread.sleep(300); // the watcher is created before the writes
        get(c.getKVClient().put(b("jw/a"), b("1")));
        get(c.getKVClient().put(b("jw/a"), b("2")));
        get(c.getKVClient().put(b("jx"), b("outside")));
        get(c.getKVClient().delete(b("jw/a")));
        await("3 events", () -> seen.size() >= 3);
        assertEquals(List.of("PUT jw/a=1", "PUT jw/a=2 prev=1", "DELETE jw/a prev=2"), seen);
      }
    }
  }

  /** History replay from a revision, then live events; NOPUT and NODELETE filters. */
  public static void historyAndFilters(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      long rev = get(c.getKVClient().put(b("jh/k"), b("1"))).getHeader().getRevision();
      get(c.getKVClient().put(b("jh/k"), b("2")));
      get(c.getKVClient().delete(b("jh/k")));
      List<String> all = new CopyOnWriteArrayList<>();
      List<String> deletes = new CopyOnWriteArrayList<>();
      List<String> puts = new CopyOnWriteArrayList<>();
      WatchOption from = WatchOption.builder().withRevision(rev).build();
      try (Watch.Watcher a = c.getWatchClient().watch(b("jh/k"), from, r -> r.getEvents().forEach(e -> all.add(describe(e))));
           Watch.Watcher d = c.getWatchClient().watch(b("jh/k"), WatchOption.builder().withRevision(rev)
               .withNoPut(true).build(), r -> r.getEvents().forEach(e -> deletes.add(describe(e))));
           Watch.Watcher p = c.getWatchClient().watch(b("jh/k"), WatchOption.builder().withRevision(rev)
               .withNoDelete(true).build(), r -> r.getEvents().forEach(e -> puts.add(describe(e))))) {
        await("history", () -> all.size() >= 3);
        get(c.getKVClient().put(b("jh/k"), b("3")));
        await("the live event", () -> all.size() >= 4 && puts.size() >= 3);
        assertEquals(List.of("PUT jh/k=1", "PUT jh/k=2", "DELETE jh/k", "PUT jh/k=3"), all);
        assertEquals(List.of("DELETE jh/k"), deletes);
        assertEquals(List.of("PUT jh/k=1", "PUT jh/k=2", "PUT jh/k=3"), puts);
      }
    }
  }

  /** A watcher from a compacted revision is canceled with the compaction surfaced to the client. */
  public static void compactedStartIsCanceled(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      long first = get(c.getKVClient().put(b("jc/k"), b("1"))).getHeader().getRevision();
      long second = get(c.getKVClient().put(b("jc/k"), b("2"))).getHeader().getRevision();
      get(c.getKVClient().compact(second));
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      try (Watch.Watcher w = c.getWatchClient().watch(b("jc/k"), WatchOption.builder().withRevision(first).build(),
          Watch.listener(r -> { }, errors::add))) {
        await("the compaction error", () -> !errors.isEmpty());
        assertTrue(String.valueOf(errors.get(0)).toLowerCase().contains("compact"), String.valueOf(errors.get(0)));
      }
    }
  }

  /** Many watchers on one key (one client multiplexes them on one stream) each see every put once, in order. */
  public static void manyWatchersOneKey(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      int n = 200;
      List<List<String>> seen = new CopyOnWriteArrayList<>();
      List<Watch.Watcher> watchers = new CopyOnWriteArrayList<>();
      for (int i = 0; i < n; i++) {
        List<String> mine = new CopyOnWriteArrayList<>();
        seen.add(mine);
        watchers.add(c.getWatchClient().watch(b("jm"), r -> r.getEvents().forEach(e -> mine.add(describe(e)))));
      }
      Thread.sleep(500);
      for (int i = 0; i < 20; i++) {
        get(c.getKVClient().put(b("jm"), b("v" + i)));
      }
      await("every watcher saw 20 puts", () -> seen.stream().allMatch(l -> l.size() >= 20));
      List<String> expected = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        expected.add("PUT jm=v" + i);
      }
      seen.forEach(l -> assertEquals(expected, l));
      watchers.forEach(Watch.Watcher::close);
    }
  }
}
