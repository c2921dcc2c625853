package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.HashKVRequest;
import io.vetch.api.etcdserverpb.HashKVResponse;
import io.vetch.api.etcdserverpb.MaintenanceService;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.CompactedException;
import io.vetch.mvcc.FutureRevisionException;
import io.vetch.mvcc.RangeResult;
import io.vetch.server.EtcdErrors;
import io.vertx.core.Vertx;
import java.util.zip.CRC32C;
import io.vetch.api.etcdserverpb.MoveLeaderRequest;
import io.vetch.api.etcdserverpb.MoveLeaderResponse;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.api.etcdserverpb.StatusResponse;
import io.vertx.core.Future;

/** etcd's Maintenance service: Status, HashKV and MoveLeader so far. Other methods are not bound yet. */
public final class MaintenanceServer extends MaintenanceService {
  /** The etcd API version vetch speaks, as etcd reports its server version. */
  static final String VERSION = "3.5.0";

  private final ClientContext ctx;

  public MaintenanceServer(ClientContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Future<MoveLeaderResponse> moveLeader(MoveLeaderRequest request) {
    return ctx.moveLeader(request.getTargetID()).map(v -> MoveLeaderResponse.newBuilder()
        .setHeader(ctx.header(ctx.store().currentRevision(), ctx.status().term())).build());
  }

  /**
   * A CRC32C over every key-value (key order) at the revision, so members can be compared: equal histories give
   * equal hashes. Runs on a worker thread: it reads the whole key space.
   */
  @Override
  public Future<HashKVResponse> hashKV(HashKVRequest request) {
    var store = ctx.store();
    return Vertx.currentContext().owner().executeBlocking(() -> {
      long rev = request.getRevision() == 0 ? store.currentRevision() : request.getRevision();
      RangeResult all;
      try {
        all = store.range(new byte[] {0}, new byte[] {0}, rev, 0, false);
      } catch (CompactedException e) {
        throw EtcdErrors.compacted();
      } catch (FutureRevisionException e) {
        throw EtcdErrors.futureRev();
      }
      CRC32C crc = new CRC32C();
      for (KeyValue kv : all.kvs()) {
        crc.update(kv.toByteArray());
      }
      return HashKVResponse.newBuilder()
          .setHeader(ctx.header(store.currentRevision(), ctx.status().term()))
          .setHash((int) crc.getValue())
          .setCompactRevision(store.compactRevision())
          .build();
    }, false);
  }

  @Override
  public Future<StatusResponse> status(StatusRequest request) {
    var s = ctx.status();
    long size = ctx.store().sizeBytes();
    return Future.succeededFuture(StatusResponse.newBuilder()
        .setHeader(ctx.header(ctx.store().currentRevision(), s.term()))
        .setVersion(VERSION)
        .setDbSize(size)
        .setDbSizeInUse(size)
        .setLeader(s.leader())
        .setRaftIndex(s.commitIndex())
        .setRaftTerm(s.term())
        .setRaftAppliedIndex(s.appliedIndex())
        .build());
  }
}
