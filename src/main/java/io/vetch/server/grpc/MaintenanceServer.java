package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.MaintenanceService;
import io.vetch.api.etcdserverpb.MoveLeaderRequest;
import io.vetch.api.etcdserverpb.MoveLeaderResponse;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.api.etcdserverpb.StatusResponse;
import io.vertx.core.Future;

/** etcd's Maintenance service: Status and MoveLeader so far. Other methods are not bound yet. */
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
