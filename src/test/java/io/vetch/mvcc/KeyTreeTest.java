package io.vetch.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The key index's B+tree against a sorted map, on keys chosen to tie on their first eight bytes. */
class KeyTreeTest {
  private final Random random = new Random(42);

  /** Short, long, zero-padded and shared-prefix keys: heads tie often, and many keys are prefixes of others. */
  private byte[] key() {
    int kind = random.nextInt(4);
    int len = switch (kind) {
      case 0 -> random.nextInt(4);
      case 1 -> 8;
      case 2 -> 9 + random.nextInt(4);
      default -> random.nextInt(12);
    };
    byte[] k = new byte[Math.max(1, len)];
    for (int i = 0; i < k.length; i++) {
      int pick = random.nextInt(5);
      k[i] = (byte) (pick == 0 ? 0 : pick == 1 ? 0xff : pick == 2 ? 'a' : random.nextInt(256));
    }
    return k;
  }

  @Test
  void insertsGetsAndRangesMatchASortedMap() {
    KeyTree tree = new KeyTree();
    TreeMap<byte[], KeyIndex> model = new TreeMap<>(Arrays::compareUnsigned);
    for (int i = 0; i < 20_000; i++) {
      byte[] k = key();
      KeyIndex ki = model.containsKey(k) ? model.get(k) : KeyIndex.create(k);
      ki = ki.put(new Revision(i + 1, 0));
      model.put(k, ki);
      tree.put(ki);
      if (i % 997 == 0) {
        check(tree, model);
      }
    }
    check(tree, model);
    for (int i = 0; i < 2_000; i++) {
      byte[] k = key();
      assertSame(model.get(k), tree.get(k));
    }
  }

  /** Each key below every other: each lands in the leftmost leaf, whose ancestors keep a stale first least key. */
  @Test
  void descendingKeysThroughThreeLevels() {
    KeyTree tree = new KeyTree();
    TreeMap<byte[], KeyIndex> model = new TreeMap<>(Arrays::compareUnsigned);
    for (int i = 20_000; i > 0; i--) {
      byte[] k = String.format("d%06d", i).getBytes();
      KeyIndex ki = KeyIndex.create(k).put(new Revision(20_001 - i, 0));
      model.put(k, ki);
      tree.put(ki);
      if (i % 4_999 == 0) {
        check(tree, model);
      }
    }
    check(tree, model);
    for (int i = 0; i < 2_000; i++) { // and keys in between, everywhere
      byte[] k = String.format("d%06d5", random.nextInt(20_000)).getBytes();
      KeyIndex ki = KeyIndex.create(k).put(new Revision(30_000 + i, 0));
      model.put(k, ki);
      tree.put(ki);
    }
    check(tree, model);
  }

  @Test
  void builtFromSortedEntriesAndStillGrows() {
    TreeMap<byte[], KeyIndex> model = new TreeMap<>(Arrays::compareUnsigned);
    for (int i = 0; i < 10_000; i++) {
      byte[] k = key();
      model.put(k, KeyIndex.create(k).put(new Revision(i + 1, 0)));
    }
    KeyTree tree = new KeyTree();
    tree.replaceAll(new ArrayList<>(model.values()));
    check(tree, model);
    for (int i = 0; i < 5_000; i++) {
      byte[] k = key();
      KeyIndex ki = KeyIndex.create(k).put(new Revision(100_000 + i, 0));
      model.put(k, ki);
      tree.put(ki);
    }
    check(tree, model);
    tree.replaceAll(List.of());
    assertNull(tree.get(new byte[] {1}));
    assertTrue(values(tree).isEmpty());
  }

  @Test
  void aReaderSeesEveryKeyWhileTheWriterInserts() throws Exception {
    KeyTree tree = new KeyTree();
    List<byte[]> present = new ArrayList<>();
    for (int i = 0; i < 5_000; i += 2) {
      byte[] k = String.format("k%06d", i).getBytes();
      tree.put(KeyIndex.create(k).put(new Revision(1, 0)));
      present.add(k);
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        while (!done.get()) {
          for (byte[] k : present) {
            if (tree.get(k) == null) {
              throw new AssertionError("lost " + new String(k));
            }
          }
          int[] seen = {0};
          tree.forEach(null, null, ki -> seen[0]++);
          if (seen[0] < present.size()) {
            throw new AssertionError("a scan saw " + seen[0] + " keys");
          }
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    reader.start();
    for (int i = 1; i < 5_000; i += 2) {
      byte[] k = String.format("k%06d", i).getBytes();
      tree.put(KeyIndex.create(k).put(new Revision(2, 0)));
    }
    done.set(true);
    reader.join();
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertEquals(5_000, values(tree).size());
  }

  private void check(KeyTree tree, TreeMap<byte[], KeyIndex> model) {
    assertEquals(new ArrayList<>(model.values()), values(tree));
    for (Map.Entry<byte[], KeyIndex> e : model.entrySet()) {
      assertSame(e.getValue(), tree.get(e.getKey()));
    }
    for (int i = 0; i < 200; i++) {
      byte[] from = key();
      byte[] to = random.nextInt(4) == 0 ? null : key();
      List<KeyIndex> got = new ArrayList<>();
      tree.forEach(from, to, got::add);
      List<KeyIndex> want = to == null ? new ArrayList<>(model.tailMap(from, true).values())
          : Arrays.compareUnsigned(from, to) >= 0 ? List.of()
          : new ArrayList<>(model.subMap(from, true, to, false).values());
      assertEquals(want, got, () -> Arrays.toString(from) + " .. " + Arrays.toString(to));
    }
  }

  /** Every key's index, in key order. */
  private static List<KeyIndex> values(KeyTree tree) {
    List<KeyIndex> out = new ArrayList<>();
    tree.forEach(null, null, out::add);
    return out;
  }
}
