package io.vetch.server;

import io.vetch.api.etcdserverpb.AlarmRequest;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.HashKVRequest;
import io.vetch.api.etcdserverpb.HashKVResponse;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.mvcc.KvHash;
import io.vetch.mvcc.KvStore;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.grpc.Proposer;
import io.vetch.server.membership.Membership;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's corruption checks: this member's HashKV at its current revision is compared with every other member's at
 * the same revision (asked over gRPC on their client URLs). A member whose compact revision equals ours but whose
 * hash differs has diverged.
 * <ul>
 *   <li>{@link #initialCheck} (--experimental-initial-corrupt-check): before serving; a mismatch stops the start.</li>
 *   <li>periodic (--experimental-corrupt-check-time): on the leader only; a mismatch raises the CORRUPT alarm for
 *       the diverged member through Raft, after which every member refuses KV requests (etcd's corrupt applier).</li>
 * </ul>
 * Peers that are behind (future revision) or compacted past the revision are skipped, as in etcd.
 */
final class CorruptionChecker extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(CorruptionChecker.class.getName());
  private static final long PEER_TIMEOUT_MS = 5000;

  private final KvStore store;
  private final MemberStatus status;
  private final Membership membership;
  private final long memberId;
  private final Proposer proposer;
  private final long periodMs;
  private GrpcClient client;
  private boolean running;

  CorruptionChecker(KvStore store, MemberStatus status, Membership membership, long memberId, Proposer proposer,
      long periodMs) {
    this.store = store;
    this.status = status;
    this.membership = membership;
    this.memberId = memberId;
    this.proposer = proposer;
    this.periodMs = periodMs;
  }

  /** One peer's answer: its id and HashKV response, or null when it could not answer at our revision. */
  record PeerHash(long id, HashKVResponse resp) {}

  @Override
  public Future<?> start() {
    client = GrpcClient.client(vertx);
    if (periodMs > 0) {
      vertx.setPeriodic(periodMs, t -> {
        if (!running && status.leader() == memberId) {
          running = true;
          periodicCheck().onComplete(ar -> running = false);
        }
      });
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }

  /** Completes when no peer disagrees; fails with etcd's message when one does. */
  Future<Void> initialCheck() {
    return compare().compose(diverged -> diverged.isEmpty()
        ? Future.<Void>succeededFuture()
        : Future.failedFuture(new IllegalStateException("found data inconsistency with peers "
            + diverged.stream().map(Long::toHexString).toList())));
  }

  private Future<Void> periodicCheck() {
    return compare().compose(diverged -> {
      if (diverged.isEmpty()) {
        return Future.succeededFuture();
      }
      long id = diverged.get(0);
      return proposer.<io.vetch.api.etcdserverpb.AlarmResponse>propose(InternalRaftRequest.newBuilder()
              .setAlarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.ACTIVATE).setMemberID(id)
                  .setAlarm(AlarmType.CORRUPT)))
          .<Void>mapEmpty();
    }).recover(e -> {
      LOG.log(System.Logger.Level.WARNING, "corruption check failed to run: {0}", e.toString());
      return Future.succeededFuture();
    });
  }

  /** The ids of members whose hash differs from ours at our current revision. */
  private Future<List<Long>> compare() {
    return vertx.executeBlocking(() -> KvHash.compute(store, 0), false).compose(local -> {
      List<Future<PeerHash>> asks = new ArrayList<>();
      for (Member m : membership.members()) {
        if (m.getID() != memberId && !m.getClientURLsList().isEmpty()) {
          asks.add(ask(m, local.revision()));
        }
      }
      return Future.join(asks).transform(ignored -> {
        List<PeerHash> answers = new ArrayList<>();
        asks.forEach(f -> answers.add(f.succeeded() ? f.result() : null));
        List<Long> diverged = diverged(local, answers);
        for (long id : diverged) {
          LOG.log(System.Logger.Level.ERROR, "found hash mismatch with member {0} at revision {1} (local hash {2})",
              Long.toHexString(id), local.revision(), Integer.toUnsignedString(local.hash()));
        }
        return Future.succeededFuture(diverged);
      });
    });
  }

  /** etcd's rule: a peer at the same compact revision must have the same hash. Null answers are skipped. */
  static List<Long> diverged(KvHash.Result local, List<PeerHash> answers) {
    List<Long> out = new ArrayList<>();
    for (PeerHash p : answers) {
      if (p != null && p.resp() != null && p.resp().getCompactRevision() == local.compactRevision()
          && p.resp().getHash() != local.hash()) {
        out.add(p.id());
      }
    }
    return out;
  }

  private Future<PeerHash> ask(Member m, long rev) {
    URI url = URI.create(m.getClientURLs(0));
    MaintenanceGrpcClient maintenance = MaintenanceGrpcClient.create(client,
        SocketAddress.inetSocketAddress(url.getPort(), url.getHost()));
    return maintenance.hashKV(HashKVRequest.newBuilder().setRevision(rev).build())
        .timeout(PEER_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .map(resp -> new PeerHash(m.getID(), resp))
        .otherwise(e -> {
          LOG.log(System.Logger.Level.DEBUG, "no hash from member {0} at revision {1}: {2}",
              Long.toHexString(m.getID()), rev, e.toString());
          return null;
        });
  }
}
