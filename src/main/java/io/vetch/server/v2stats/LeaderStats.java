package io.vetch.server.v2stats;

import io.vetch.v2.GoJson;
import java.util.Map;
import java.util.TreeMap;

/**
 * etcd's v2 leader statistics (v2stats.LeaderStats, served at /v2/stats/leader by the leader): per follower (every
 * peer this member talks to), the latency of its sends in milliseconds (current, average, standard deviation,
 * minimum, maximum; here from the transport's round-trip probes) and their counts. Thread-safe.
 */
public final class LeaderStats {
  private final String leader;
  private final Map<String, Follower> followers = new TreeMap<>();

  public LeaderStats(long id) {
    this.leader = Long.toHexString(id);
  }

  private static final class Follower {
    double current;
    double average;
    double averageSquare;
    double standardDeviation;
    double minimum = 0x1p63; // etcd's 1 << 63
    double maximum;
    long fail;
    long success;
  }

  /** A peer this member sends to: listed from now on, with no sends yet. */
  public synchronized void follower(long id) {
    followers.computeIfAbsent(Long.toHexString(id), k -> new Follower());
  }

  /** A peer this member no longer sends to. */
  public synchronized void remove(long id) {
    followers.remove(Long.toHexString(id));
  }

  /** A send to peer that took nanos (etcd's FollowerStats.Succ). */
  public synchronized void succ(long peer, long nanos) {
    Follower f = followers.computeIfAbsent(Long.toHexString(peer), k -> new Follower());
    double total = f.success * f.average;
    double totalSquare = f.success * f.averageSquare;
    f.success++;
    f.current = nanos / 1_000_000.0;
    f.maximum = Math.max(f.maximum, f.current);
    f.minimum = Math.min(f.minimum, f.current);
    f.average = (total + f.current) / f.success;
    f.averageSquare = (totalSquare + f.current * f.current) / f.success;
    f.standardDeviation = Math.sqrt(f.averageSquare - f.average * f.average);
  }

  /** A send to peer that failed. */
  public synchronized void fail(long peer) {
    followers.computeIfAbsent(Long.toHexString(peer), k -> new Follower()).fail++;
  }

  /** etcd's JSON: {"leader":ID,"followers":{ID:{"latency":{...},"counts":{"fail":N,"success":N}}}}. */
  public synchronized String json() {
    StringBuilder b = new StringBuilder("{\"leader\":").append(GoJson.string(leader)).append(",\"followers\":{");
    boolean first = true;
    for (var e : followers.entrySet()) {
      Follower f = e.getValue();
      if (!first) {
        b.append(',');
      }
      first = false;
      b.append(GoJson.string(e.getKey())).append(":{\"latency\":{\"current\":").append(GoValues.number(f.current))
          .append(",\"average\":").append(GoValues.number(f.average))
          .append(",\"standardDeviation\":").append(GoValues.number(f.standardDeviation))
          .append(",\"minimum\":").append(GoValues.number(f.minimum))
          .append(",\"maximum\":").append(GoValues.number(f.maximum))
          .append("},\"counts\":{\"fail\":").append(f.fail).append(",\"success\":").append(f.success).append("}}");
    }
    return b.append("}}").toString();
  }
}
