package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.ClusterService;
import io.vetch.api.etcdserverpb.MemberListRequest;
import io.vetch.api.etcdserverpb.MemberListResponse;
import io.vertx.core.Future;

/**
 * etcd's Cluster service; MemberList so far, from the membership configured at bootstrap. Client URLs are known
 * for this member only until members publish their attributes through Raft.
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
