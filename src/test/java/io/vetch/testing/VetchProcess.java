package io.vetch.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A `bin/vetch` process (single member) on loopback ports chosen at creation, its output appended to a log file. */
public final class VetchProcess implements AutoCloseable {
  private final String name;
  private final Path dataDir;
  private final Path log;
  private final int clientPort;
  private final int peerPort;
  private final String initialCluster;
  private int advertisedPeerPort;
  private String clusterState = "new";
  private Process process;

  /** A single-member cluster. */
  public VetchProcess(Path dataDir, Path log) throws IOException {
    this("p1", dataDir, log, TestMember.freePort(), TestMember.freePort(), null);
  }

  /** A member named name of the cluster initialCluster (null: just this member). */
  public VetchProcess(String name, Path dataDir, Path log, int clientPort, int peerPort, String initialCluster) {
    this.name = name;
    this.dataDir = dataDir;
    this.log = log;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.advertisedPeerPort = peerPort;
    this.initialCluster = initialCluster != null ? initialCluster : name + "=" + peerUrl();
  }

  /** Peers reach this member on another port (a proxy's, forwarding to its own); before start. */
  public VetchProcess advertisePeerPort(int port) {
    this.advertisedPeerPort = port;
    return this;
  }

  /** --initial-cluster-state (new, or existing for a member joining a running cluster); before start. */
  public VetchProcess clusterState(String state) {
    this.clusterState = state;
    return this;
  }

  /** The peer URL the member advertises. */
  public String peerUrl() {
    return "http://127.0.0.1:" + advertisedPeerPort;
  }

  public String name() {
    return name;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The running process (for signals), or null. */
  public Process process() {
    return process;
  }

  public void start() throws IOException {
    String client = "http://127.0.0.1:" + clientPort;
    List<String> cmd = new ArrayList<>(List.of(new File("bin/vetch").getAbsolutePath(), "--name", name,
        "--data-dir", dataDir.toString(), "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", "http://127.0.0.1:" + peerPort, "--initial-advertise-peer-urls", peerUrl(),
        "--initial-cluster", initialCluster, "--initial-cluster-state", clusterState,
        "--warmup=false")); // these tests restart members often; the e2e scripts start them with the warm-up
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + clientPort);
  }

  public int clientPort() {
    return clientPort;
  }

  /** The last lines the process wrote, for failure messages. */
  public String logTail() {
    try {
      java.util.List<String> lines = java.nio.file.Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no flush; whatever was not fsynced is gone. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        kill9();
      }
    }
  }
}
