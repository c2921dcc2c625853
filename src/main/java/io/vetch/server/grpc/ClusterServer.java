package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.ClusterService;
import io.vetch.api.etcdserverpb.MemberListRequest;
import io.vetch.api.etcdserverpb.MemberListResponse;
import io.vertx.core.Future;

/**
 * etcd's Cluster service; MemberList so far: the membership configured at bootstrap with the names and client
 * URLs members published through Raft.
 */
public final class ClusterServer extends ClusterService {
  private final ClientContext ctx;

  public ClusterServer(ClientContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Future<MemberListResponse> memberList(MemberListRequest request) {
    return Future.succeededFuture(MemberListResponse.newBuilder()
        .setHeader(ctx.header(ctx.store().currentRevision(), ctx.status().term()))
        .addAllMembers(ctx.members())
        .build());
  }
}
