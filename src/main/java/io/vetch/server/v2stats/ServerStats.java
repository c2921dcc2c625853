package io.vetch.server.v2stats;

import io.vetch.v2.GoJson;
import java.time.Instant;

/**
 * etcd's v2 self statistics (v2stats.ServerStats, served at /v2/stats/self): this member's name and id, its Raft
 * state as the statistics see it (follower once it receives an append from a leader, leader once it leads), since
 * when it runs, the leader it follows and since when, and the Raft appends it received and sent with their rates
 * over the last second. Updated from the raft verticle's context, read from any thread.
 */
public final class ServerStats {
  private final String name;
  private final long id;
  private final Instant startTime = Instant.now();
  private String state = "StateFollower";
  /** The leader followed (0: none yet). */
  private long leader;
  private Instant leaderStart = startTime;
  private long leaderStartNanos = System.nanoTime();
  private long recvAppendRequestCnt;
  private long sendAppendRequestCnt;
  private final RateQueue recvRate = new RateQueue();
  private final RateQueue sendRate = new RateQueue();

  public ServerStats(String name, long id) {
    this.name = name;
    this.id = id;
  }

  /** A MsgApp of size bytes arrived from leader. */
  public synchronized void recvAppendReq(long leader, int size) {
    state = "StateFollower";
    if (leader != this.leader) {
      this.leader = leader;
      leaderSince();
    }
    recvRate.insert(size);
    recvAppendRequestCnt++;
  }

  /** A MsgApp of size bytes goes to a follower. */
  public synchronized void sendAppendReq(int size) {
    becomeLeader();
    sendRate.insert(size);
    sendAppendRequestCnt++;
  }

  public synchronized void becomeLeader() {
    if (!state.equals("StateLeader")) {
      state = "StateLeader";
      leader = id;
      leaderSince();
    }
  }

  private void leaderSince() {
    leaderStart = Instant.now();
    leaderStartNanos = System.nanoTime();
  }

  /** etcd's JSON, field for field (rates only when not zero). */
  public synchronized String json() {
    StringBuilder b = new StringBuilder("{\"name\":").append(GoJson.string(name))
        .append(",\"id\":").append(GoJson.string(Long.toHexString(id)))
        .append(",\"state\":").append(GoJson.string(state))
        .append(",\"startTime\":").append(GoValues.time(startTime))
        .append(",\"leaderInfo\":{\"leader\":").append(GoJson.string(leader == 0 ? "" : Long.toHexString(leader)))
        .append(",\"uptime\":").append(GoJson.string(GoValues.duration(System.nanoTime() - leaderStartNanos)))
        .append(",\"startTime\":").append(GoValues.time(leaderStart)).append('}')
        .append(",\"recvAppendRequestCnt\":").append(recvAppendRequestCnt);
    double[] recv = recvRate.rate();
    if (recv[0] != 0) {
      b.append(",\"recvPkgRate\":").append(GoValues.number(recv[0]));
    }
    if (recv[1] != 0) {
      b.append(",\"recvBandwidthRate\":").append(GoValues.number(recv[1]));
    }
    b.append(",\"sendAppendRequestCnt\":").append(sendAppendRequestCnt);
    double[] send = sendRate.rate();
    if (send[0] != 0) {
      b.append(",\"sendPkgRate\":").append(GoValues.number(send[0]));
    }
    if (send[1] != 0) {
      b.append(",\"sendBandwidthRate\":").append(GoValues.number(send[1]));
    }
    return b.append('}').toString();
  }
}
