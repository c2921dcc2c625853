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
    return new Watcher(id, null, ByteString.copyFromUtf8("k"), null, WatchCreateRequest.getDefaultInstance(), 1);
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
      assertEquals(i, set.get(i).slot);
      walked.add(set.get(i));
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
