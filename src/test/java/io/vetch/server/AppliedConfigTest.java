package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfChangeType;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.EntryType;
import io.vetch.raft.MemoryStorage;
import io.vetch.raft.RaftConfig;
import io.vetch.raft.RawNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conf changes reaching the Raft core once applied, and the log cut behind applied snapshots. */
class AppliedConfigTest {
  private final MemoryStorage storage = new MemoryStorage();

  private RawNode node(long id) {
    RawNode.bootstrap(storage, List.of(1L));
    RaftConfig cfg = new RaftConfig();
    cfg.id = id;
    return new RawNode(cfg, storage);
  }

  private static Entry conf(long index, ConfChangeType type, long member) {
    return Entry.newBuilder().setIndex(index).setTerm(1).setType(EntryType.EntryConfChange)
        .setData(ConfChange.newBuilder().setType(type).setNodeId(member).build().toByteString()).build();
  }

  @Test
  void confChangesChangeTheConfigurationAndOnlyThisMembersRemovalStopsIt() {
    AppliedConfig config = new AppliedConfig(node(1), storage, 10);
    assertEquals(List.of(1L), config.confState().getVotersList());
    assertFalse(config.apply(List.of(conf(2, ConfChangeType.ConfChangeAddNode, 2),
        conf(3, ConfChangeType.ConfChangeAddNode, 3))));
    assertEquals(List.of(1L, 2L, 3L), config.confState().getVotersList().stream().sorted().toList());
    assertFalse(config.apply(List.of(conf(4, ConfChangeType.ConfChangeRemoveNode, 3))), "another member's removal");
    assertTrue(config.apply(List.of(conf(5, ConfChangeType.ConfChangeRemoveNode, 1))), "this member's removal");
    assertFalse(config.apply(List.of()), "reported once");
    assertFalse(config.apply(List.of(Entry.newBuilder().setIndex(6).setData(
        com.google.protobuf.ByteString.copyFromUtf8("not a conf change")).build())), "an unreadable one is skipped");
  }

  @Test
  void aSnapshotCutsTheLogKeepingTheCatchUpEntries() {
    RawNode n = node(1);
    AppliedConfig config = new AppliedConfig(n, storage, 10);
    List<Entry> log = new ArrayList<>();
    for (long i = 1; i <= 50; i++) {
      log.add(Entry.newBuilder().setIndex(i).setTerm(1).build());
    }
    storage.append(log);
    config.snapshotted(30);
    assertEquals(30, storage.snapshot().getMetadata().getIndex());
    assertEquals(List.of(1L), storage.snapshot().getMetadata().getConfState().getVotersList());
    assertEquals(21, storage.firstIndex(), "entries after 20 are kept for a lagging follower");
    config.snapshotted(25);
    assertEquals(30, storage.snapshot().getMetadata().getIndex(), "an older snapshot changes nothing");
    assertEquals(21, storage.firstIndex());
  }
}
