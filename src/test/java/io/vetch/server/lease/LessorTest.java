package io.vetch.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import io.vertx.grpc.server.StatusException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lessor with a hand-driven clock: TTLs, key attachment, revoke, checkpoints across a leader change, reload. */
class LessorTest {
  private static final long SECOND = 1_000_000_000L;
  @TempDir Path dir;
  long now = 1_000 * SECOND;

  private Lessor open() throws Exception {
    return Lessor.load(dir.resolve("leases"), 2, List.of(), () -> now);
  }

  private static Event put(String key, long lease) {
    return Event.newBuilder().setType(Event.EventType.PUT).setKv(KeyValue.newBuilder()
        .setKey(ByteString.copyFromUtf8(key)).setLease(lease)).build();
  }

  @Test
  void grantAttachMoveRevoke() throws Exception {
    Lessor l = open();
    assertEquals(2, l.grant(1, 1), "raised to the minimum TTL");
    assertEquals(10, l.grant(2, 10));
    assertThrows(StatusException.class, () -> l.grant(2, 5));
    l.onEvents(List.of(put("a", 1), put("b", 1), put("c", 2)));
    l.onEvents(List.of(put("b", 2))); // moved to lease 2
    l.onEvents(List.of(Event.newBuilder().setType(Event.EventType.DELETE)
        .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("c"))).build()));
    assertEquals(List.of("a"), l.get(1).keys().stream().map(ByteString::toStringUtf8).toList());
    assertEquals(List.of("b"), l.get(2).keys().stream().map(ByteString::toStringUtf8).toList());
    assertEquals(List.of("b"), l.revoke(2).stream().map(String::new).toList());
    assertEquals(List.of("b"), l.revoke(2).stream().map(String::new).toList(),
        "until its keys are deleted, a revoke is repeated (a restart replaying it)");
    l.onEvents(List.of(Event.newBuilder().setType(Event.EventType.DELETE)
        .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("b"))).build()));
    assertThrows(StatusException.class, () -> l.revoke(2));
  }

  @Test
  void expiryRenewAndCheckpointsAcrossALeaderChange() throws Exception {
    Lessor l = open();
    l.grant(7, 10);
    now += 6 * SECOND;
    assertEquals(4, l.get(7).remaining(now));
    assertEquals(List.of(), l.expired());
    l.checkpoint(7, 4); // the leader recorded 4 s left
    now += 1 * SECOND;
    l.refreshAll(); // a new leader: 4 s from now, not a fresh 10
    assertEquals(4, l.get(7).remaining(now));
    now += 5 * SECOND;
    assertEquals(List.of(7L), l.expired());
    assertEquals(10, l.renew(7), "a keep-alive gives the full TTL");
    assertTrue(l.checkpointed(7), "and the old checkpoint must be cleared through Raft");
    l.checkpoint(7, 0);
    l.refreshAll();
    assertEquals(10, l.get(7).remaining(now));
    assertEquals(0, l.renew(99), "unknown lease");
  }

  @Test
  void reloadKeepsLeasesAndCheckpoints() throws Exception {
    Lessor l = open();
    l.grant(5, 30);
    l.checkpoint(5, 12);
    Lessor again = Lessor.load(dir.resolve("leases"), 2,
        List.of(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k")).setLease(5).build()), () -> now);
    assertEquals(30, again.get(5).ttl);
    assertEquals(12, again.get(5).remaining(now), "restarts at its checkpoint");
    assertEquals(List.of("k"), again.get(5).keys().stream().map(ByteString::toStringUtf8).toList());
  }
}
