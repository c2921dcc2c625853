package io.vetch.server.grpc;

import io.vetch.server.watch.WatchHandler;

/**
 * One client verticle's instances of etcd's services, for the front ends beside gRPC (the JSON gateway, the
 * in-process client of embedded members). All are used on that verticle's event loop.
 */
public record Services(KvServer kv, LeaseServer lease, ClusterServer cluster, MaintenanceServer maintenance,
    AuthServer auth, LockServer lock, ElectionServer election, WatchHandler watch) {}
