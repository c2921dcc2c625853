package io.vetch.examples;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.LeaseGrantRequest;
import io.vetch.api.etcdserverpb.LeaseKeepAliveRequest;
import io.vetch.api.etcdserverpb.LeaseRevokeRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.mvccpb.Event;
import io.vetch.api.v3electionpb.CampaignRequest;
import io.vetch.embed.VetchClient;
import io.vetch.embed.Watch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Example of an application on embedded vetch: each instance keeps a live copy of the configuration under
 * {@code app/config/} (read once, then kept current by a watch resumed from the read's revision, so no change is
 * missed or seen twice), and campaigns to be the leader of {@code app/leader} with a lease it keeps alive. The
 * leader alone runs the periodic job (here: writing {@code app/heartbeat}). Undeploying revokes the lease, which
 * hands leadership to the next instance.
 */
public final class ConfigService extends VerticleBase {
  private static final ByteString PREFIX = ByteString.copyFromUtf8("app/config/");
  private static final ByteString PREFIX_END = ByteString.copyFromUtf8("app/config0");
  private static final ByteString ELECTION = ByteString.copyFromUtf8("app/leader");

  private final String name;
  private final VetchClient etcd;
  private final Map<String, String> config = new ConcurrentHashMap<>();
  private volatile boolean leader;
  private long lease;
  private Watch watch;

  public ConfigService(String name, VetchClient etcd) {
    this.name = name;
    this.etcd = etcd;
  }

  /** The configuration as this instance sees it now. */
  public Map<String, String> settings() {
    return Map.copyOf(config);
  }

  public boolean isLeader() {
    return leader;
  }

  @Override
  public Future<?> start() {
    return loadAndWatch().compose(v -> etcd.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(5).build()))
        .onSuccess(g -> {
          lease = g.getID();
          vertx.setPeriodic(1_000, t -> etcd.leaseKeepAlive(LeaseKeepAliveRequest.newBuilder().setID(lease).build()));
          campaign(); // in the background: Campaign returns once this instance is the leader
        });
  }

  private Future<Void> loadAndWatch() {
    return etcd.range(RangeRequest.newBuilder().setKey(PREFIX).setRangeEnd(PREFIX_END).build()).compose(r -> {
      r.getKvsList().forEach(kv -> config.put(name(kv.getKey()), kv.getValue().toStringUtf8()));
      return etcd.watch(WatchCreateRequest.newBuilder().setKey(PREFIX).setRangeEnd(PREFIX_END)
          .setStartRevision(r.getHeader().getRevision() + 1).build());
    }).map(w -> {
      watch = w.handler(resp -> resp.getEventsList().forEach(e -> {
        if (e.getType() == Event.EventType.PUT) {
          config.put(name(e.getKv().getKey()), e.getKv().getValue().toStringUtf8());
        } else {
          config.remove(name(e.getKv().getKey()));
        }
      }));
      return null;
    });
  }

  private void campaign() {
    etcd.campaign(CampaignRequest.newBuilder().setName(ELECTION).setLease(lease)
        .setValue(ByteString.copyFromUtf8(name)).build()).onSuccess(won -> {
          leader = true;
          vertx.setPeriodic(200, t -> etcd.put("app/heartbeat", name));
        });
  }

  private static String name(ByteString key) {
    return key.substring(PREFIX.size()).toStringUtf8();
  }

  @Override
  public Future<?> stop() {
    leader = false;
    return watch.close().compose(v -> etcd.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease).build()));
  }
}
