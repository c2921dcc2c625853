package io.vetch.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Entry;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class MemoryStorageTest {
  private static List<Entry> ents(long from, long to, long term) {
    return LongStream.rangeClosed(from, to).mapToObj(i -> Entry.newBuilder().setIndex(i).setTerm(term).build())
        .toList();
  }

  @Test
  void appendOverwritesConflictingSuffix() {
    MemoryStorage s = new MemoryStorage();
    s.append(ents(1, 5, 1));
    s.append(ents(3, 4, 2));
    assertEquals(4, s.lastIndex());
    assertEquals(1, s.term(2));
    assertEquals(2, s.term(3));
    assertEquals(2, s.term(4));
    assertThrows(IllegalArgumentException.class, () -> s.append(ents(7, 8, 2)), "gap");
  }

  @Test
  void compactKeepsTermOfCompactedIndexAndIgnoresOldAppends() {
    MemoryStorage s = new MemoryStorage();
    s.append(ents(1, 10, 1));
    s.compact(6);
    assertEquals(7, s.firstIndex());
    assertEquals(1, s.term(6));
    assertThrows(IllegalArgumentException.class, () -> s.term(5));
    assertThrows(IllegalArgumentException.class, () -> s.entries(6, 8, Long.MAX_VALUE));
    s.append(ents(2, 5, 1));
    assertEquals(10, s.lastIndex());
    s.append(ents(5, 8, 3));
    assertEquals(3, s.term(7));
    assertEquals(8, s.lastIndex());
  }

  @Test
  void entriesRespectSizeLimitButReturnAtLeastOne() {
    MemoryStorage s = new MemoryStorage();
    s.append(ents(1, 10, 1));
    assertEquals(1, s.entries(1, 11, 1).size());
    long one = s.entries(1, 2, Long.MAX_VALUE).get(0).getSerializedSize();
    assertEquals(3, s.entries(1, 11, one * 3).size());
    assertEquals(10, s.entries(1, 11, Long.MAX_VALUE).size());
  }

  @Test
  void snapshotsReplaceTheLog() {
    MemoryStorage s = new MemoryStorage();
    s.append(ents(1, 10, 2));
    ConfState cs = ConfState.newBuilder().addVoters(1).build();
    var snap = s.createSnapshot(8, cs, new byte[] {42});
    assertEquals(2, snap.getMetadata().getTerm());
    assertEquals(10, s.lastIndex(), "createSnapshot does not compact");
    MemoryStorage other = new MemoryStorage();
    other.append(ents(1, 3, 1));
    other.applySnapshot(snap);
    assertEquals(9, other.firstIndex());
    assertEquals(8, other.lastIndex());
    assertEquals(cs, other.confState());
    assertEquals(2, other.term(8));
  }
}
