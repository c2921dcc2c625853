package io.vetch.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vetch.transport.PeerStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * One member's Prometheus metrics, under etcd's names so that etcd dashboards and alerts work unchanged. Gauges and
 * counters that mirror state read it at scrape time through {@link Sources}; events (fsyncs, peer traffic, gRPC
 * calls, KV operations) are recorded as they happen. Thread-safe.
 * <p>
 * etcd exposes a few gauges named {@code *_total} (proposals committed and applied, {@code etcd_debugging_mvcc_keys_total});
 * the Prometheus client reserves that suffix for counters, so they are exposed as counters under the same names.
 */
public final class ServerMetrics implements PeerStats {
  /** etcd's disk histograms: 1 ms to about 8 s, doubling. */
  private static final double[] DISK_BUCKETS = exponential(0.001, 2, 14);
  /** etcd's peer round-trip histogram: 0.1 ms to about 0.8 s, doubling. */
  private static final double[] RTT_BUCKETS = exponential(0.0001, 2, 14);

  /** Where the state-mirroring metrics read from. */
  public record Sources(long memberId, LongSupplier leader, LongSupplier leaderChanges, LongSupplier commitIndex,
      LongSupplier appliedIndex, LongSupplier pendingProposals, LongSupplier failedProposals, long quotaBytes,
      LongSupplier dbSize, LongSupplier dbSizeInUse, LongSupplier keys,
      java.util.function.Supplier<String> clusterVersion, LongSupplier storageFailed) {}

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram walFsync;
  private final Histogram backendCommit;
  private final Histogram peerRtt;
  private final Counter peerSent;
  private final Counter peerReceived;
  private final Counter puts;
  private final Counter ranges;
  private final Counter deletes;
  private final Counter txns;
  private final Counter grpcStarted;
  private final Counter grpcHandled;
  private final Counter grpcReceived;
  private final Counter grpcSent;
  private final Counter healthSuccess;
  private final Counter healthFailures;
  private final Sources sources;
  /** The web console's chart history, oldest first: one {@link Sample} per {@link #sample} call. */
  private final java.util.ArrayDeque<Sample> history = new java.util.ArrayDeque<>();

  /** The member's totals at one moment, for the console's charts (rates are differences of two samples). */
  public record Sample(long timeMs, double writes, double reads, long fsyncs, double fsyncSeconds, long committed,
      long pending, long failed) {}

  /** How many samples {@link #history} keeps. */
  public static final int HISTORY = 120;

  public ServerMetrics(Sources s) {
    this.sources = s;
    GaugeWithCallback.builder().name("etcd_cluster_version")
        .help("Which version is running. 1 for 'cluster_version' label with current cluster version")
        .labelNames("cluster_version").callback(cb -> cb.call(1, s.clusterVersion().get())).register(registry);
    GaugeWithCallback.builder().name("etcd_server_has_leader")
        .help("Whether or not a leader exists. 1 is existence, 0 is not.")
        .callback(cb -> cb.call(s.leader().getAsLong() != 0 ? 1 : 0)).register(registry);
    GaugeWithCallback.builder().name("etcd_server_is_leader")
        .help("Whether or not this member is a leader. 1 if is, 0 otherwise.")
        .callback(cb -> cb.call(s.leader().getAsLong() == s.memberId() ? 1 : 0)).register(registry);
    counter("etcd_server_leader_changes_seen_total", "The number of leader changes seen.", s.leaderChanges());
    counter("etcd_server_proposals_committed_total", "The total number of consensus proposals committed.",
        s.commitIndex());
    counter("etcd_server_proposals_applied_total", "The total number of consensus proposals applied.",
        s.appliedIndex());
    counter("etcd_server_proposals_failed_total", "The total number of failed proposals seen.",
        s.failedProposals());
    gauge("etcd_server_proposals_pending", "The current number of pending proposals to commit.",
        s.pendingProposals());
    gauge("etcd_server_quota_backend_bytes", "Current backend storage quota size in bytes.",
        () -> s.quotaBytes() == Long.MAX_VALUE ? 0 : s.quotaBytes());
    gauge("etcd_mvcc_db_total_size_in_bytes",
        "Total size of the underlying database physically allocated in bytes.", s.dbSize());
    gauge("etcd_mvcc_db_total_size_in_use_in_bytes",
        "Total size of the underlying database logically in use in bytes.", s.dbSizeInUse());
    counter("etcd_debugging_mvcc_keys_total", "Total number of keys.", s.keys());
    gauge("vetch_storage_failed", "1 when this member's storage failed (writes refused until it is reopened), else 0.",
        s.storageFailed());
    healthSuccess = Counter.builder().name("etcd_server_health_success")
        .help("The total number of successful health checks").withoutExemplars().register(registry);
    healthFailures = Counter.builder().name("etcd_server_health_failures")
        .help("The total number of failed health checks").withoutExemplars().register(registry);
    walFsync = Histogram.builder().name("etcd_disk_wal_fsync_duration_seconds")
        .help("The latency distributions of fsync called by WAL.").classicOnly().classicUpperBounds(DISK_BUCKETS)
        .withoutExemplars().register(registry);
    backendCommit = Histogram.builder().name("etcd_disk_backend_commit_duration_seconds")
        .help("The latency distributions of commit called by backend.").classicOnly()
        .classicUpperBounds(DISK_BUCKETS).withoutExemplars().register(registry);
    peerRtt = Histogram.builder().name("etcd_network_peer_round_trip_time_seconds")
        .help("Round-Trip-Time histogram between peers").labelNames("To").classicOnly()
        .classicUpperBounds(RTT_BUCKETS).withoutExemplars().register(registry);
    peerSent = Counter.builder().name("etcd_network_peer_sent_bytes_total").help("The total number of bytes sent to peers.")
        .labelNames("To").withoutExemplars().register(registry);
    peerReceived = Counter.builder().name("etcd_network_peer_received_bytes_total")
        .help("The total number of bytes received from peers.").labelNames("From").withoutExemplars()
        .register(registry);
    puts = Counter.builder().name("etcd_mvcc_put_total").help("Total number of puts seen by this member.")
        .withoutExemplars().register(registry);
    ranges = Counter.builder().name("etcd_mvcc_range_total").help("Total number of ranges seen by this member.")
        .withoutExemplars().register(registry);
    deletes = Counter.builder().name("etcd_mvcc_delete_total").help("Total number of deletes seen by this member.")
        .withoutExemplars().register(registry);
    txns = Counter.builder().name("etcd_mvcc_txn_total").help("Total number of txns seen by this member.")
        .withoutExemplars().register(registry);
    grpcStarted = Counter.builder().name("grpc_server_started_total")
        .help("Total number of RPCs started on the server.")
        .labelNames("grpc_type", "grpc_service", "grpc_method").withoutExemplars().register(registry);
    grpcHandled = Counter.builder().name("grpc_server_handled_total")
        .help("Total number of RPCs completed on the server, regardless of success or failure.")
        .labelNames("grpc_type", "grpc_service", "grpc_method", "grpc_code").withoutExemplars().register(registry);
    grpcReceived = Counter.builder().name("grpc_server_msg_received_total")
        .help("Total number of RPC stream messages received on the server.")
        .labelNames("grpc_type", "grpc_service", "grpc_method").withoutExemplars().register(registry);
    grpcSent = Counter.builder().name("grpc_server_msg_sent_total")
        .help("Total number of gRPC stream messages sent by the server.")
        .labelNames("grpc_type", "grpc_service", "grpc_method").withoutExemplars().register(registry);
    JvmMetrics.builder().register(registry);
  }

  /** A /health check answered (etcd_server_health_success / etcd_server_health_failures). */
  public void health(boolean ok) {
    (ok ? healthSuccess : healthFailures).inc();
  }

  private void counter(String name, String help, LongSupplier value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  private void gauge(String name, String help, LongSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  private static double[] exponential(double start, double factor, int count) {
    double[] b = new double[count];
    for (int i = 0; i < count; i++) {
      b[i] = start * Math.pow(factor, i);
    }
    return b;
  }

  public void walFsync(long nanos) {
    walFsync.observe(nanos / 1e9);
  }

  public void backendCommit(long nanos) {
    backendCommit.observe(nanos / 1e9);
  }

  /** A KV request served: kind is range, put, delete or txn. */
  public void kv(String kind) {
    switch (kind) {
      case "range" -> ranges.inc();
      case "put" -> puts.inc();
      case "delete" -> deletes.inc();
      default -> txns.inc();
    }
  }

  /**
   * One gRPC method's series (go-grpc-prometheus's, as etcd exports them), all created at 0 now: the started, message
   * and handled counters, the latter for every status code.
   */
  public GrpcMethodMetrics grpcMethod(String type, String service, String method) {
    var handled = new io.prometheus.metrics.core.datapoints.CounterDataPoint[GrpcMethodMetrics.CODES.size()];
    for (int c = 0; c < handled.length; c++) {
      handled[c] = grpcHandled.labelValues(type, service, method, GrpcMethodMetrics.CODES.get(c));
    }
    return new GrpcMethodMetrics(grpcStarted.labelValues(type, service, method),
        grpcReceived.labelValues(type, service, method), grpcSent.labelValues(type, service, method), handled);
  }

  /** One peer's data points, looked up once: sent and received count every Raft frame. */
  private record PeerPoints(io.prometheus.metrics.core.datapoints.CounterDataPoint sent,
      io.prometheus.metrics.core.datapoints.CounterDataPoint received,
      io.prometheus.metrics.core.datapoints.DistributionDataPoint rtt) {}

  private final java.util.concurrent.ConcurrentHashMap<Long, PeerPoints> peers =
      new java.util.concurrent.ConcurrentHashMap<>();

  private PeerPoints peer(long id) {
    PeerPoints p = peers.get(id); // per peer message: a plain read, without computeIfAbsent's lock
    return p != null ? p : peers.computeIfAbsent(id, i -> {
      String hex = Long.toHexString(i);
      return new PeerPoints(peerSent.labelValues(hex), peerReceived.labelValues(hex), peerRtt.labelValues(hex));
    });
  }

  @Override
  public void sent(long peer, int bytes) {
    peer(peer).sent().inc(bytes);
  }

  @Override
  public void received(long peer, int bytes) {
    peer(peer).received().inc(bytes);
  }

  @Override
  public void roundTrip(long peer, long nanos) {
    peer(peer).rtt().observe(nanos / 1e9);
  }

  /** Records the totals now, dropping the oldest sample past {@link #HISTORY}. Any thread. */
  public void sample(long nowMs) {
    var fsync = walFsync.collect().getDataPoints();
    Sample x = new Sample(nowMs, puts.get() + deletes.get() + txns.get(), ranges.get(),
        fsync.isEmpty() ? 0 : fsync.get(0).getCount(), fsync.isEmpty() ? 0 : fsync.get(0).getSum(),
        sources.commitIndex().getAsLong(), sources.pendingProposals().getAsLong(),
        sources.failedProposals().getAsLong());
    synchronized (history) {
      if (history.size() == HISTORY) {
        history.removeFirst();
      }
      history.addLast(x);
    }
  }

  /** The samples taken, oldest first. Any thread. */
  public java.util.List<Sample> history() {
    synchronized (history) {
      return java.util.List.copyOf(history);
    }
  }

  /** Every metric in Prometheus' text format (version 0.0.4). */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape(),
          io.prometheus.metrics.config.EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
