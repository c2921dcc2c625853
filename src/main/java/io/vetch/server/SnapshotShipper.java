package io.vetch.server;

import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.api.raftpb.SnapshotMetadata;
import io.vetch.raft.MemoryStorage;
import io.vetch.server.bus.Addresses;
import io.vetch.server.bus.StorageImage;
import io.vetch.transport.InboundSnapshot;
import io.vetch.transport.OutboundSnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Snapshots between members, on the raft verticle's context. The core's MsgSnap carries only metadata: to send
 * one, the storage worker writes a store image at its applied index, which becomes the snapshot's index (at least
 * the core's snapshot index, so the core's bookkeeping holds) with that index's term, membership and leases, and the
 * transport streams it; the outcome goes to onOutcome (member, failed) for the core. Received images wait here,
 * by snapshot index, for the Ready that installs them.
 */
final class SnapshotShipper {
  private static final System.Logger LOG = System.getLogger(SnapshotShipper.class.getName());
  /** Longest a snapshot may take to stream to a peer before the leader gives up and retries later. */
  private static final long SEND_TIMEOUT_MS = 10 * 60_000;

  private final Vertx vertx;
  private final Addresses addresses;
  private final MemoryStorage memoryStorage;
  private final BiConsumer<Long, Boolean> onOutcome;
  private final Map<Long, Path> received = new HashMap<>();

  SnapshotShipper(Vertx vertx, Addresses addresses, MemoryStorage memoryStorage, BiConsumer<Long, Boolean> onOutcome) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.memoryStorage = memoryStorage;
    this.onOutcome = onOutcome;
  }

  void send(Message m) {
    long to = m.getTo();
    DeliveryOptions slow = new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS);
    vertx.eventBus().<StorageImage>request(addresses.storageImage(), null, slow)
        .compose(reply -> {
          StorageImage img = reply.body();
          Snapshot snap = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(img.index())
                  .setTerm(memoryStorage.term(img.index())).setConfState(img.confState()))
              .setData(com.google.protobuf.ByteString.copyFrom(img.data())).build();
          LOG.log(System.Logger.Level.INFO, "sending snapshot at index {0} to {1}", img.index(), Long.toHexString(to));
          return vertx.eventBus().request(addresses.transport().sendSnapshot(),
              new OutboundSnapshot(m.toBuilder().setSnapshot(snap).build(), img.file()), slow);
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.log(System.Logger.Level.WARNING, "sending a snapshot to {0} failed: {1}", Long.toHexString(to),
                ar.cause().getMessage());
          } else {
            LOG.log(System.Logger.Level.INFO, "snapshot sent to {0}", Long.toHexString(to));
          }
          onOutcome.accept(to, ar.failed());
        });
  }

  /** A leader's snapshot arrived in full: its image waits for the Ready that installs it. */
  void received(InboundSnapshot s) {
    received.put(s.message().getSnapshot().getMetadata().getIndex(), s.image());
  }

  /** The image for the snapshot at index, handed over to be installed (null if none arrived). */
  Path take(long index) {
    return received.remove(index);
  }

  /** Images at or below an installed snapshot's index will never be installed: deleted. */
  void discardUpTo(long index) {
    received.entrySet().removeIf(e -> {
      if (e.getKey() <= index) {
        vertx.fileSystem().delete(e.getValue().toString());
        return true;
      }
      return false;
    });
  }
}
