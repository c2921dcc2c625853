package io.vetch.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.DefragmentRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The robustness harness: for each fault scenario, a fresh 3-member bin/vetch cluster under recorded client
 * traffic and whole-key-space watchers on every member; the fault is injected mid-traffic, then the cluster is
 * healed and must converge (every member serves, a final write succeeds and is applied everywhere, HashKV equal
 * at its revision), the history must be linearizable ({@link HistoryChecker}) and the watches correct
 * ({@link WatchChecker}). A summary line per scenario goes to target/robustness-summary.md.
 *
 * <p>Bounded for CI: about 8 s of traffic per scenario. {@code -Dvetch.robustness.seconds=60
 * -Dvetch.robustness.rounds=3} makes the full run; with {@code -Dvetch.robustness.results=docs/robustness-results.md}
 * its summary is kept there (see bin/robustness); {@code -Dvetch.robustness.only=leader} runs the scenarios whose
 * name (spaces as underscores) contains that text.
 */
class RobustnessIT {
  private static final long SECONDS = Long.getLong("vetch.robustness.seconds", 8);
  private static final int ROUNDS = Integer.getInteger("vetch.robustness.rounds", 1);
  private static final List<String> SUMMARY = new ArrayList<>();
  /** Operations, of unknown outcome, watch events, scenarios with anomalies: for the total line. */
  private static final long[] TOTALS = new long[4];

  interface Fault {
    /** Injects the fault into a cluster under traffic, lets it act, and undoes it; returns what was done. */
    String inject(ProcessCluster c) throws Exception;
  }

  record Scenario(String name, Fault fault) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Scenario> scenarios() {
    List<Scenario> all = List.of(
        new Scenario("kill -9 a follower", c -> {
          int f = follower(c);
          c.kill9(f);
          Thread.sleep(3_000);
          c.restart(f);
          return "killed and restarted follower r" + f;
        }),
        new Scenario("kill -9 the leader", c -> {
          int l = c.awaitLeader(10_000);
          c.kill9(l);
          Thread.sleep(3_000);
          c.restart(l);
          return "killed and restarted leader r" + l;
        }),
        new Scenario("kill -9 a quorum", c -> {
          int l = c.awaitLeader(10_000);
          int f = (l + 1) % c.size();
          c.kill9(l);
          c.kill9(f);
          Thread.sleep(2_000);
          c.restart(l);
          c.restart(f);
          return "killed leader r" + l + " and r" + f + ", restarted both";
        }),
        new Scenario("kill -9 every member", c -> {
          for (int i = 0; i < c.size(); i++) {
            c.kill9(i);
          }
          Thread.sleep(1_000);
          for (int i = 0; i < c.size(); i++) {
            c.restart(i);
          }
          return "killed all 3, restarted all";
        }),
        new Scenario("SIGSTOP the leader", c -> {
          int l = c.awaitLeader(10_000);
          c.pause(l);
          Thread.sleep(4_000);
          c.resume(l);
          return "paused leader r" + l + " 4 s";
        }),
        new Scenario("partition the leader", c -> {
          int l = c.awaitLeader(10_000);
          c.isolate(l);
          Thread.sleep(4_000);
          c.heal();
          return "cut leader r" + l + " off both ways 4 s";
        }),
        new Scenario("one-way cut into the leader", c -> {
          int l = c.awaitLeader(10_000);
          for (int j = 0; j < c.size(); j++) {
            if (j != l) {
              c.cut(j, l);
            }
          }
          Thread.sleep(4_000);
          c.heal();
          return "cut traffic to leader r" + l + " 4 s (it still sends)";
        }),
        new Scenario("delayed peer traffic", c -> {
          c.delay(40);
          Thread.sleep(4_000);
          c.heal();
          return "40 ms delay on every peer link 4 s";
        }),
        new Scenario("replace a follower", c -> {
          int f = follower(c);
          c.replace(f);
          c.awaitServing(f, 60_000);
          return "removed follower r" + f + ", wiped it, added it back";
        }),
        new Scenario("torn WAL tail", c -> {
          int f = follower(c);
          c.kill9(f);
          String what = tearLastRecord(c.lastWalSegment(f));
          c.restart(f);
          return "killed follower r" + f + ", " + what + ", restarted";
        }),
        new Scenario("flipped bit in a WAL record", c -> {
          int f = follower(c);
          c.kill9(f);
          Path seg = c.lastWalSegment(f);
          String what = flipBitInMiddleRecord(seg);
          c.restart(f);
          Process p = c.members.get(f).process();
          assertTrue(p.waitFor(60, TimeUnit.SECONDS), "a member with a corrupt WAL kept running");
          assertTrue(p.exitValue() != 0, "exit " + p.exitValue());
          assertTrue(c.members.get(f).logTail().contains(seg.getFileName().toString()),
              "the refusal does not name the file: " + c.members.get(f).logTail());
          c.replace(f);
          c.awaitServing(f, 60_000);
          return "killed follower r" + f + ", " + what + ": detected, member refused to start; replaced";
        }),
        new Scenario("compaction and defrag under load", c -> {
          for (int round = 0; round < 2; round++) {
            Thread.sleep(1_500);
            long rev = ProcessCluster.await(c.kv(0).put(PutRequest.newBuilder().setKey(Traffic.bytes("mark"))
                .setValue(Traffic.bytes("m")).build())).getHeader().getRevision();
            ProcessCluster.await(c.kv(0).compact(CompactionRequest.newBuilder().setRevision(rev - 20).build()));
            for (int i = 0; i < c.size(); i++) {
              ProcessCluster.await(c.maintenance(i).defragment(DefragmentRequest.getDefaultInstance()), 30_000);
            }
          }
          return "compacted twice (20 revisions behind the head) and defragmented every member";
        }));
    List<Scenario> out = new ArrayList<>();
    String only = System.getProperty("vetch.robustness.only", "");
    for (int r = 0; r < ROUNDS; r++) {
      all.stream().filter(s -> s.name().replace(' ', '_').contains(only)).forEach(out::add);
    }
    return out.stream();
  }

  static int follower(ProcessCluster c) throws Exception {
    return (c.awaitLeader(10_000) + 1) % c.size();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void scenario(Scenario s, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    long t0 = System.nanoTime();
    try (ProcessCluster c = ProcessCluster.started(dir, 3)) {
      c.awaitLeader(20_000);
      long start = ProcessCluster.await(c.kv(0).put(PutRequest.newBuilder().setKey(Traffic.bytes("ready"))
          .setValue(Traffic.bytes("1")).build())).getHeader().getRevision() + 1;
      Watchers watchers = new Watchers(c);
      watchers.start(start);
      Traffic traffic = new Traffic(c, System.nanoTime());
      traffic.start(1, 2);
      Thread.sleep(SECONDS * 1000 / 4);
      String fault = s.fault().inject(c);
      Thread.sleep(SECONDS * 1000 * 3 / 4);
      List<Op> ops = traffic.stop();
      Map<Integer, Long> hashes = c.converge(60_000);
      long finalRev = ProcessCluster.await(c.kv(1).put(PutRequest.newBuilder().setKey(Traffic.bytes("final"))
          .setValue(Traffic.bytes("again")).build())).getHeader().getRevision();
      watchers.awaitRevision(finalRev, 30_000);
      List<WatchChecker.Log> logs = watchers.stop();
      HistoryChecker.Result history = HistoryChecker.check(ops);
      List<String> anomalies = new ArrayList<>(history.anomalies());
      anomalies.addAll(WatchChecker.check(logs, ops));
      anomalies.addAll(watchers.problems);
      if (new HashSet<>(hashes.values()).size() != 1) {
        anomalies.add("HashKV differs between members: " + hashes);
      }
      long unknown = ops.stream().filter(Op::unknown).count();
      long events = logs.stream().mapToLong(l -> l.responses().stream().mapToLong(r -> r.events().size()).sum())
          .sum();
      String line = String.format("| %s | %s | %d | %d | %d | %d | %d | %.0f s | %s |", s.name(), fault, ops.size(),
          unknown, history.keys(), events, watchers.resumes(), (System.nanoTime() - t0) / 1e9,
          anomalies.isEmpty() ? "ok" : anomalies.size() + " anomalies");
      synchronized (SUMMARY) {
        SUMMARY.add(line);
        TOTALS[0] += ops.size();
        TOTALS[1] += unknown;
        TOTALS[2] += events;
        TOTALS[3] += anomalies.isEmpty() ? 0 : 1;
      }
      System.out.println("ROBUSTNESS " + line);
      assertEquals(List.of(), anomalies, s.name() + ": " + fault);
    }
  }

  /** Zeroes the second half of the last record of a segment, as a write cut short by a crash leaves it. */
  static String tearLastRecord(Path seg) throws IOException {
    List<long[]> records = records(seg);
    long[] last = records.get(records.size() - 1);
    long from = last[0] + 8 + last[1] / 2;
    long to = last[0] + 8 + last[1];
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate((int) (to - from)), from);
      ch.force(true);
    }
    return "zeroed bytes " + from + ".." + to + " of the last record of " + seg.getFileName();
  }

  /** Flips one bit inside a record in the middle of a segment (records after it are intact). */
  static String flipBitInMiddleRecord(Path seg) throws IOException {
    List<long[]> records = records(seg);
    long[] r = records.get(records.size() / 2);
    long at = r[0] + 8 + r[1] / 2;
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
      ch.write(b, at);
      ch.force(true);
    }
    return "flipped a bit at offset " + at + " (record " + (records.size() / 2) + " of " + records.size() + ") in "
        + seg.getFileName();
  }

  /** [offset, length] of each record (u32 length | u32 crc | type + payload) up to the zeros that end the data. */
  static List<long[]> records(Path seg) throws IOException {
    ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(seg));
    List<long[]> out = new ArrayList<>();
    int at = 0;
    while (at + 8 <= data.limit()) {
      int len = data.getInt(at);
      if (len <= 0 || at + 8 + len > data.limit()) {
        break;
      }
      out.add(new long[] {at, len});
      at += 8 + len;
    }
    return out;
  }

  @AfterAll
  static void writeSummary() throws IOException {
    List<String> lines = new ArrayList<>(List.of(
        "| scenario | fault injected | operations | of unknown outcome | keys checked | watch events checked "
            + "| watch resumes | time | result |",
        "|---|---|---|---|---|---|---|---|---|"));
    lines.addAll(SUMMARY);
    String table = String.join("\n", lines) + "\n\nTotal: " + SUMMARY.size() + " scenarios, " + SUMMARY.size()
        + " faults injected, " + TOTALS[0] + " operations checked (" + TOTALS[1] + " of unknown outcome), "
        + TOTALS[2] + " watch events checked, " + TOTALS[3] + " scenarios with anomalies.\n";
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/robustness-summary.md"), table);
    String results = System.getProperty("vetch.robustness.results");
    if (results != null) {
      Files.writeString(Path.of(results), "# Robustness results\n\nThe latest full run of `bin/robustness` ("
          + SECONDS + " s of traffic per scenario, " + ROUNDS + " round(s); 3 members; checks as in "
          + "`src/test/java/io/vetch/robustness/RobustnessIT.java`), " + java.time.LocalDate.now() + ":\n\n" + table);
    }
  }
}
