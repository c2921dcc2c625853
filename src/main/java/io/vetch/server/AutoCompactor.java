package io.vetch.server;

import io.vetch.server.config.ServerConfig;
import io.vetch.server.base.EtcdErrors;
import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.mvcc.KvStore;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.grpc.Proposer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * etcd's auto-compactors (v3compactor), run on an event loop; only the leader proposes compactions.
 * <ul>
 *   <li>periodic, retention P: every P/10 (P capped at one hour for the step) the current revision is sampled;
 *       a compaction to the revision sampled P ago is proposed once P has passed since the last one (then every
 *       min(P, 1h)).</li>
 *   <li>revision, retention N: every 5 minutes (etcd's revInterval; {@code ServerConfig} may change it), a
 *       compaction to current revision - N, if that moved.</li>
 * </ul>
 */
final class AutoCompactor extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(AutoCompactor.class.getName());
  static final long HOUR_MS = 3_600_000;

  private final KvStore store;
  private final MemberStatus status;
  private final long memberId;
  private final Proposer proposer;
  private final boolean periodic;
  private final long retention;
  private final long revisionIntervalMs;
  private final LongSupplier clock;
  private final ArrayDeque<Long> revs = new ArrayDeque<>();
  private long lastRevision;
  private long lastSuccess;
  private long baseInterval;
  private boolean running;

  /** retention: ms for periodic, revisions for revision mode. */
  AutoCompactor(KvStore store, MemberStatus status, long memberId, Proposer proposer, String mode, long retention,
      long revisionIntervalMs) {
    this.store = store;
    this.status = status;
    this.memberId = memberId;
    this.proposer = proposer;
    this.periodic = mode.equals("periodic");
    this.retention = retention;
    this.revisionIntervalMs = revisionIntervalMs;
    this.clock = System::currentTimeMillis;
  }

  @Override
  public Future<?> start() {
    lastSuccess = clock.getAsLong();
    baseInterval = retention;
    if (periodic) {
      long step = Math.max(1, Math.min(retention, HOUR_MS) / 10);
      revs.add(store.currentRevision());
      vertx.setPeriodic(step, t -> periodicTick());
    } else {
      vertx.setPeriodic(revisionIntervalMs, t -> revisionTick());
    }
    LOG.log(System.Logger.Level.INFO, "auto-compaction: {0} mode, retention {1}", periodic ? "periodic" : "revision",
        periodic ? retention + " ms" : retention + " revisions");
    return Future.succeededFuture();
  }

  private boolean leader() {
    return status.leader() == memberId;
  }

  private void periodicTick() {
    long step = Math.max(1, Math.min(retention, HOUR_MS) / 10);
    long retentions = retention / step + 1;
    if (revs.size() >= retentions) {
      revs.poll(); // the head is the revision sampled one retention period ago
    }
    revs.add(store.currentRevision());
    long rev = revs.peek();
    long now = clock.getAsLong();
    if (!leader() || running || now - lastSuccess < baseInterval || rev == lastRevision) {
      return;
    }
    baseInterval = Math.min(retention, HOUR_MS);
    compact(rev, () -> lastSuccess = clock.getAsLong());
  }

  private void revisionTick() {
    long rev = store.currentRevision() - retention;
    if (!leader() || running || rev <= 0 || rev == lastRevision) {
      return;
    }
    compact(rev, () -> { });
  }

  private void compact(long rev, Runnable onSuccess) {
    running = true;
    LOG.log(System.Logger.Level.INFO, "starting auto-compaction at revision {0}", rev);
    proposer.proposeAsServer(InternalRaftRequest.newBuilder()
            .setCompaction(CompactionRequest.newBuilder().setRevision(rev)))
        .onComplete(ar -> {
          running = false;
          String error = ar.failed() ? EtcdErrors.describe(ar.cause()) : null;
          if (error == null || error.contains("required revision has been compacted")) {
            lastRevision = rev;
            onSuccess.run();
            LOG.log(System.Logger.Level.INFO, "completed auto-compaction at revision {0}", rev);
          } else {
            LOG.log(System.Logger.Level.WARNING, "auto-compaction at revision {0} failed: {1}", rev, error);
          }
        });
  }
}
