package io.vetch.server.grpc;

import io.vetch.mvcc.KvStore;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.base.RequestIds;
import io.vetch.server.bus.WatchInterest;
import io.vetch.server.lease.Lessor;
import io.vetch.server.membership.Membership;
import io.vetch.server.metrics.ServerMetrics;
import io.vetch.server.v2stats.LeaderStats;
import io.vetch.server.v2stats.ServerStats;
import io.vetch.v2.V2Store;

/**
 * The parts of one member that its client front ends (gRPC, HTTP, the metrics listener) build their services from;
 * each service takes only the parts it uses. All thread-safe.
 *
 * @param bus proposals, read indexes, leader transfer, backend jobs and keep-alives, over the event bus
 * @param ids request ids (lease ids are taken from them too)
 * @param v2 etcd's v2 store (written by the storage worker; its reads and watches are thread-safe)
 * @param v2Self, v2Leader etcd's v2 statistics of this member and, while it leads, of its followers
 * @param watchInterest held by the watch groups and key waiters while they need the applied batches' events
 */
public record MemberParts(Headers headers, KvStore store, MemberStatus status, Membership membership,
    Lessor lessor, AlarmStore alarms, ServerMetrics metrics, CallAuth auth, BusClient bus, QuotaAlarmer quota,
    RequestIds ids, V2Store v2, ServerStats v2Self, LeaderStats v2Leader, WatchInterest watchInterest) {}
