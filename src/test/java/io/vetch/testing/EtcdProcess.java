package io.vetch.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd (Debian's etcd 3.4 on PATH) on free 127.0.0.1 ports with its data in a given directory, and etcdctl
 * commands against it; every process is bounded in time and the server is killed on close.
 */
public final class EtcdProcess implements AutoCloseable {
  private final Process process;
  public final String endpoint;

  private EtcdProcess(Process process, String endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  /** Starts etcd named "t" on dataDir (a new member, or one made by `etcdctl snapshot restore` with peerPort). */
  public static EtcdProcess start(Path dataDir, int peerPort) throws IOException, InterruptedException {
    int client = freePort();
    String peer = "http://127.0.0.1:" + peerPort;
    String endpoint = "http://127.0.0.1:" + client;
    Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    Process p = new ProcessBuilder("etcd", "--name", "t", "--data-dir", dataDir.toString(),
        "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--initial-cluster", "t=" + peer)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    EtcdProcess etcd = new EtcdProcess(p, endpoint);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        etcd.ctl(null, "endpoint", "health");
        return etcd;
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          etcd.close();
          throw new IOException("etcd did not start: " + Files.readString(log), e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** Runs etcdctl (API 3) against this server with stdin (or none); its output, or IOException if it fails. */
  public String ctl(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint, "--command-timeout", "10s"));
    command.addAll(List.of(args));
    return run(stdin, command);
  }

  /** Runs etcdctl (API 3) without an endpoint (snapshot status, restore). */
  public static String ctlOffline(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("etcdctl"));
    command.addAll(List.of(args));
    return run(null, command);
  }

  private static String run(String stdin, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("etcdctl", ".out");
    try {
      ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
      b.environment().put("ETCDCTL_API", "3");
      Process p = b.start();
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(UTF_8));
        }
      }
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(command + " timed out");
      }
      String s = Files.readString(out);
      if (p.exitValue() != 0) {
        throw new IOException(command + " exited " + p.exitValue() + ": " + s);
      }
      return s;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
