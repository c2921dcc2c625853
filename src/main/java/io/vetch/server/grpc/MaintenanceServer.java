package io.vetch.server.grpc;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.streams.ReadStream;
import io.vetch.api.etcdserverpb.AlarmMember;
import io.vetch.api.etcdserverpb.AlarmRequest;
import io.vetch.api.etcdserverpb.AlarmResponse;
import io.vetch.api.etcdserverpb.DefragmentRequest;
import io.vetch.api.etcdserverpb.DefragmentResponse;
import io.vetch.api.etcdserverpb.DowngradeInfo;
import io.vetch.api.etcdserverpb.DowngradeRequest;
import io.vetch.api.etcdserverpb.DowngradeResponse;
import io.vetch.api.etcdserverpb.HashKVRequest;
import io.vetch.api.etcdserverpb.HashKVResponse;
import io.vetch.api.etcdserverpb.HashRequest;
import io.vetch.api.etcdserverpb.HashResponse;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.MaintenanceService;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.etcdserverpb.MoveLeaderRequest;
import io.vetch.api.etcdserverpb.MoveLeaderResponse;
import io.vetch.api.etcdserverpb.SnapshotRequest;
import io.vetch.api.etcdserverpb.SnapshotResponse;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.api.etcdserverpb.StatusResponse;
import io.vetch.api.membershippb.DowngradeInfoSetRequest;
import io.vetch.mvcc.CompactedException;
import io.vetch.mvcc.FutureRevisionException;
import io.vetch.mvcc.KvHash;
import io.vetch.mvcc.KvStore;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.backup.EtcdDbWriter;
import io.vetch.server.backup.MemberState;
import io.vetch.server.backup.SnapshotData;
import io.vetch.server.base.ClusterVersion;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.bus.StorageImage;
import io.vetch.server.membership.Membership;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * etcd's Maintenance service. With auth enabled, MoveLeader, Hash, HashKV, Defragment, Snapshot and Downgrade need
 * the root role, as on etcd; Status does not.
 */
public final class MaintenanceServer extends MaintenanceService {
  /** The etcd API version vetch speaks, as etcd reports its server version. */
  public static final String VERSION = io.vetch.server.base.ClusterVersion.SERVER;

  private final KvStore store;
  private final MemberStatus status;
  private final Membership membership;
  private final AlarmStore alarms;
  private final Headers headers;
  private final CallAuth auth;
  private final Proposer proposer;
  private final ReadIndex readIndex;
  private final LeaderTransferrer leaders;
  private final BackendJobs backend;
  private final long quotaBytes;

  /** quotaBytes: the backend quota in force, for Status (Long.MAX_VALUE when disabled). */
  public MaintenanceServer(KvStore store, MemberStatus status, Membership membership, AlarmStore alarms,
      Headers headers, CallAuth auth, Proposer proposer, ReadIndex readIndex, LeaderTransferrer leaders,
      BackendJobs backend, long quotaBytes) {
    this.store = store;
    this.status = status;
    this.membership = membership;
    this.alarms = alarms;
    this.headers = headers;
    this.auth = auth;
    this.proposer = proposer;
    this.readIndex = readIndex;
    this.leaders = leaders;
    this.backend = backend;
    this.quotaBytes = quotaBytes;
  }

  @Override
  public Future<MoveLeaderResponse> moveLeader(MoveLeaderRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    return leaders.moveLeader(request.getTargetID()).map(v -> MoveLeaderResponse.newBuilder()
        .setHeader(header()).build());
  }

  /** Through Raft (as etcd), so a GET sees every alarm raised before it and all members agree on changes. */
  @Override
  public Future<AlarmResponse> alarm(AlarmRequest request) {
    return proposer.propose(InternalRaftRequest.newBuilder().setAlarm(request));
  }

  /** etcd's HashKV (see {@link KvHash}). Runs on a worker thread: it reads the whole kept history. */
  @Override
  public Future<HashKVResponse> hashKV(HashKVRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    return hash(request.getRevision()).map(h -> HashKVResponse.newBuilder().setHeader(header())
        .setHash(h.hash()).setCompactRevision(h.compactRevision()).setHashRevision(h.revision()).build());
  }

  /** etcd's Hash covers the whole backend; here it is the HashKV of the current revision. */
  @Override
  public Future<HashResponse> hash(HashRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    return hash(0).map(h -> HashResponse.newBuilder().setHeader(header()).setHash(h.hash()).build());
  }

  private Future<KvHash.Result> hash(long revision) {
    return Vertx.currentContext().owner().executeBlocking(() -> {
      try {
        return KvHash.compute(store, revision);
      } catch (CompactedException e) {
        throw EtcdErrors.compacted();
      } catch (FutureRevisionException e) {
        throw EtcdErrors.futureRev();
      }
    }, false);
  }

  @Override
  public Future<DefragmentResponse> defragment(DefragmentRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    return backend.defragment().map(v -> DefragmentResponse.newBuilder().setHeader(header()).build());
  }

  @Override
  public Future<ReadStream<SnapshotResponse>> snapshot(SnapshotRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    Vertx vertx = Vertx.currentContext().owner();
    var messages = io.vetch.server.metrics.GrpcMethodMetrics.current();
    return backend.storeImage()
        .compose(image -> vertx.executeBlocking(() -> etcdDb(image), false))
        .compose(db -> SnapshotStream.open(vertx, db, header(), messages));
  }

  /** The store image as etcd's backend file (beside it; the image is deleted), which the snapshot streams. */
  private static Path etcdDb(StorageImage image) throws IOException {
    Path db = image.file().resolveSibling(image.file().getFileName() + ".db");
    try {
      EtcdDbWriter.write(new MemberState(image.index(), 0, image.file(), SnapshotData.decode(image.data())), db);
      return db;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(db);
      throw e;
    } finally {
      Files.deleteIfExists(image.file());
    }
  }

  /**
   * etcd 3.5's Downgrade: VALIDATE checks the target (one minor version below the cluster version) after a
   * linearizable read; ENABLE validates, then records the target through Raft; CANCEL, after a linearizable read,
   * clears an enabled downgrade through Raft. Each answers with the cluster version decided from the members.
   */
  @Override
  public Future<DowngradeResponse> downgrade(DowngradeRequest request) {
    io.vertx.grpc.server.StatusException denied = auth.checkAdmin();
    if (denied != null) {
      return Future.failedFuture(denied);
    }
    DowngradeResponse.Builder answer = DowngradeResponse.newBuilder().setVersion(ClusterVersion.DECIDED);
    return switch (request.getAction()) {
      case VALIDATE -> validateDowngrade(request.getVersion())
          .map(target -> answer.setHeader(header()).build());
      case ENABLE -> validateDowngrade(request.getVersion())
          .compose(target -> proposer.<DowngradeResponse>propose(InternalRaftRequest.newBuilder().setDowngradeInfoSet(
              DowngradeInfoSetRequest.newBuilder().setEnabled(true).setVer(target))))
          .map(r -> answer.setHeader(r.getHeader()).build());
      case CANCEL -> readIndex.await()
          .compose(term -> membership.downgradeTarget().isEmpty()
              ? Future.<DowngradeResponse>failedFuture(EtcdErrors.noInflightDowngrade())
              : proposer.<DowngradeResponse>propose(InternalRaftRequest.newBuilder().setDowngradeInfoSet(
                  DowngradeInfoSetRequest.newBuilder().setEnabled(false))))
          .map(r -> answer.setHeader(r.getHeader()).build());
      default -> Future.failedFuture(EtcdErrors.unknownMethod());
    };
  }

  /** etcd's downgradeValidate, its checks in its order; completes with the target as "X.Y.0". */
  private Future<String> validateDowngrade(String version) {
    String target = ClusterVersion.target(version);
    if (target == null) {
      return Future.failedFuture(EtcdErrors.wrongDowngradeVersionFormat());
    }
    return readIndex.await().compose(term -> {
      if (!target.equals(ClusterVersion.ALLOWED_TARGET)) {
        return Future.failedFuture(EtcdErrors.invalidDowngradeTargetVersion());
      }
      if (!membership.downgradeTarget().isEmpty()) {
        return Future.failedFuture(EtcdErrors.downgradeInProcess());
      }
      return Future.succeededFuture(target);
    });
  }

  @Override
  public Future<StatusResponse> status(StatusRequest request) {
    StatusResponse.Builder b = StatusResponse.newBuilder()
        .setHeader(header())
        .setVersion(VERSION)
        .setDbSize(store.dbSizeBytes())
        .setDbSizeInUse(store.sizeBytes())
        .setLeader(status.leader())
        .setRaftIndex(status.commitIndex())
        .setRaftTerm(status.term())
        .setRaftAppliedIndex(status.appliedIndex())
        .setDbSizeQuota(quotaBytes == Long.MAX_VALUE ? 0 : quotaBytes);
    Member self = membership.member(headers.memberId());
    b.setIsLearner(self != null && self.getIsLearner());
    String downgrade = membership.downgradeTarget();
    if (!downgrade.isEmpty()) {
      b.setDowngradeInfo(DowngradeInfo.newBuilder().setEnabled(true).setTargetVersion(downgrade));
    }
    if (status.storageFailure() != null) {
      b.addErrors(status.storageFailure().error().message());
    }
    if (status.leader() == 0) {
      b.addErrors(EtcdErrors.noLeader().message());
    }
    for (AlarmMember a : alarms.get(io.vetch.api.etcdserverpb.AlarmType.NONE)) {
      b.addErrors("memberID:" + Long.toUnsignedString(a.getMemberID()) + " alarm:" + a.getAlarm() + " ");
    }
    return Future.succeededFuture(b.build());
  }

  private io.vetch.api.etcdserverpb.ResponseHeader header() {
    return headers.current();
  }
}
