package io.vetch.server.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyWatchersTest {
  private static Watcher watcher(long id) {
    // every third one filtered (not plain), starting at a revision of its own
    WatchCreateRequest req = id % 3 == 0
        ? WatchCreateRequest.newBuilder().addFilters(WatchCreateRequest.FilterType.NODELETE).build()
        : WatchCreateRequest.getDefaultInstance();
    return new Watcher(id, null, ByteString.copyFromUtf8("k"), null, req, 1 + id % 7);
  }

  @Test
  void holdsWhatWasAddedAndNotRemovedAcrossGrowthAndRandomRemovals() {
    KeyWatchers set = new KeyWatchers();
    Set<Watcher> model = new HashSet<>();
    List<Watcher> all = new ArrayList<>();
    Random random = new Random(20);
    for (int i = 0; i < 2000; i++) {
      if (all.isEmpty() || random.nextInt(3) > 0) {
        Watcher w = watcher(i);
        all.add(w);
        set.add(w);
        model.add(w);
      } else {
        Watcher w = all.get(random.nextInt(all.size()));
        assertEquals(model.remove(w), set.remove(w), "remove answers whether it was there");
        assertEquals(-1, w.slot);
      }
      assertEquals(model.size(), set.size());
    }
    Set<Watcher> walked = new HashSet<>();
    for (int i = 0; i < set.size(); i++) {
      Watcher w = set.get(i);
      assertEquals(i, w.slot);
      assertEquals(w.id, set.id(i), "the arrays beside follow the watchers' moves");
      assertEquals(w.plain() ? w.nextRev : Long.MAX_VALUE, set.plainFrom(i));
      walked.add(w);
    }
    assertEquals(model, walked);
    assertEquals(model, new HashSet<>(List.of(set.toArray())));
  }

  @Test
  void aWatcherOfAnotherSetIsNotRemoved() {
    KeyWatchers a = new KeyWatchers();
    KeyWatchers b = new KeyWatchers();
    Watcher inA = watcher(1);
    Watcher inB = watcher(2);
    a.add(inA);
    b.add(inB);
    assertFalse(a.remove(inB)); // same slot, another set
    assertEquals(1, a.size());
    assertTrue(b.remove(inB));
    assertEquals(0, b.size());
  }
}
