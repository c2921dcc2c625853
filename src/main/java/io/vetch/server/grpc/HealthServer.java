package io.vetch.server.grpc;

import io.vetch.api.healthpb.HealthCheckRequest;
import io.vetch.api.healthpb.HealthCheckResponse;
import io.vetch.api.healthpb.HealthService;
import io.vetch.server.base.MemberStatus;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.Set;

/**
 * The standard gRPC health service (grpc.health.v1.Health/Check), as etcd registers it: the server ("") and etcd's
 * services are SERVING while the member knows a leader, NOT_SERVING otherwise; other names are NOT_FOUND.
 */
final class HealthServer extends HealthService {
  private static final Set<String> SERVICES = Set.of("", "etcdserverpb.KV", "etcdserverpb.Watch",
      "etcdserverpb.Lease", "etcdserverpb.Cluster", "etcdserverpb.Maintenance");

  private final MemberStatus status;

  HealthServer(MemberStatus status) {
    this.status = status;
  }

  @Override
  public Future<HealthCheckResponse> check(HealthCheckRequest request) {
    if (!SERVICES.contains(request.getService())) {
      return Future.failedFuture(new StatusException(GrpcStatus.NOT_FOUND, "unknown service"));
    }
    return Future.succeededFuture(HealthCheckResponse.newBuilder()
        .setStatus(status.leader() != 0 ? HealthCheckResponse.ServingStatus.SERVING
            : HealthCheckResponse.ServingStatus.NOT_SERVING)
        .build());
  }
}
