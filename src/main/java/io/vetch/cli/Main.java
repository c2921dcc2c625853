package io.vetch.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vetch.server.config.ServerConfig;
import io.vetch.server.VetchServer;
import java.io.PrintStream;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The {@code vetch} command, etcd's {@code etcd} for the JVM. Exit codes as etcd: 0 after
 * --help/--version or a clean shutdown, 2 for a usage error, 1 for a configuration that fails
 * verification or a member that fails to start.
 *
 * <p>While serving, the main thread waits; SIGTERM/SIGINT run a shutdown hook that closes the
 * member and then Vert.x, waiting at most {@link #SHUTDOWN_TIMEOUT_SECONDS}.
 */
public final class Main {
  public static final String VERSION = "0.1.0";
  public static final String API_VERSION = "3.5";
  static final long SHUTDOWN_TIMEOUT_SECONDS = 10;
  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    if (code != 0 || isWarmup(args)) System.exit(code); // the warm-up's threads must not keep the JVM up
  }

  /**
   * Runs the command and returns the process exit code instead of exiting. When a member starts,
   * this blocks until the JVM shuts down (signal) and the member has been closed.
   */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length > 0 && args[0].equals("snapshot")) {
      return SnapshotCommand.run(java.util.List.of(args).subList(1, args.length), out, err);
    }
    if (isWarmup(args)) {
      return warmupOnly();
    }
    Command cmd;
    try {
      cmd = Flags.parse(args, env);
    } catch (FlagException e) {
      err.println("vetch: " + e.getMessage());
      if (e.exitCode() == FlagException.USAGE) err.println("Usage: vetch [flags]; run 'vetch --help' for the list of flags.");
      return e.exitCode();
    }
    if (cmd instanceof Command.Help) {
      out.print(Flags.usage());
      return 0;
    }
    if (cmd instanceof Command.Version) {
      out.print(versionText());
      return 0;
    }
    Command.Serve serve = (Command.Serve) cmd;
    Logging.configure(serve.config().logLevel());
    serve.warnings().forEach(LOG::warning);
    return serve(serve.config());
  }

  private static boolean isWarmup(String[] args) {
    return args.length == 1 && args[0].equals("warmup");
  }

  /**
   * {@code vetch warmup}: runs the warm-up (a throwaway member sent a few thousand requests) and exits, 0 if it
   * succeeded. bin/vetch runs it once per build to record the JVM's class-data archive of the classes a member loads.
   */
  private static int warmupOnly() {
    Logging.configure("warn");
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    long events = Warmup.run(vertx, true); // the class-data archive records the paths between members too
    String failure = await(vertx.close());
    return events >= 0 && failure == null ? 0 : 1;
  }

  /** What --version prints. */
  static String versionText() {
    return "vetch Version: " + VERSION + "\n"
        + "API version: " + API_VERSION + "\n"
        + "Java version: " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")\n"
        + "OS/Arch: " + System.getProperty("os.name").toLowerCase() + "/" + System.getProperty("os.arch") + "\n";
  }

  private static int serve(ServerConfig cfg) {
    LOG.info(() -> "starting vetch " + VERSION + " member " + cfg.name() + " (data-dir " + cfg.dataDir() + ")");
    LOG.fine(() -> "config: " + cfg);
    // Native epoll where Netty ships it (Linux x86-64): fewer system calls and allocations per request than NIO.
    int loops = EventLoops.size(cfg, Runtime.getRuntime().availableProcessors());
    LOG.fine(() -> loops + " event loop(s)");
    Vertx vertx = SpinningEpoll.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
    // The warm-up runs while a new member opens its data directory; the member serves once both are done. A
    // member restarting on its data has clients waiting and serves as soon as the data is open: with 1M keys the
    // warm-up, sharing two cores with recovery, delayed serving from 9.5 to 12.2 s.
    boolean warmup = cfg.warmup() && !VetchServer.hasData(cfg);
    java.util.concurrent.CompletableFuture<Void> warm = warmup
        ? java.util.concurrent.CompletableFuture.runAsync(
            () -> Warmup.run(vertx, cfg.initialCluster().size() > 1), r -> new Thread(r, "vetch-warmup").start())
        : java.util.concurrent.CompletableFuture.completedFuture(null);
    VetchServer server;
    try {
      server = VetchServer.start(vertx, cfg, io.vertx.core.Future.fromCompletionStage(warm))
          .toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException | InterruptedException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      LOG.log(Level.SEVERE, "failed to start member " + cfg.name() + ": " + cause.getMessage(), cause);
      await(vertx.close());
      return 1;
    }
    LOG.info(() -> "vetch member " + cfg.name() + " serving client requests on "
        + cfg.listenClientUrls().stream().map(URI::toString).collect(Collectors.joining(",")));
    server.removed().onSuccess(v -> {
      LOG.warning(() -> "member " + cfg.name() + " has been permanently removed from the cluster; exiting");
      new Thread(() -> System.exit(0), "vetch-removed").start(); // the shutdown hook stops the member
    });
    server.fatal().onFailure(e -> {
      LOG.severe(() -> "member " + cfg.name() + " stops: its storage failed and reopening its data directory failed ("
          + e.getMessage() + "); exiting with status " + VetchServer.EXIT_STORAGE);
      new Thread(() -> System.exit(VetchServer.EXIT_STORAGE), "vetch-storage-failed").start();
    });
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        stop(cfg.name(), vertx, server);
      } finally {
        stopped.countDown();
      }
    }, "vetch-shutdown"));
    awaitUninterruptibly(stopped);
    return 0;
  }

  /** Runs in the shutdown hook, so it logs past the LogManager, which the JDK resets concurrently. */
  private static void stop(String name, Vertx vertx, VetchServer server) {
    String logger = Main.class.getName();
    Logging.emitDirect(Level.INFO, logger, "received shutdown signal, stopping member " + name);
    Future<Void> closed = server.close()
        .transform(ar -> {
          if (ar.failed()) Logging.emitDirect(Level.WARNING, logger, "closing member " + name + " failed: " + ar.cause());
          return vertx.close();
        });
    String failure = await(closed);
    Logging.emitDirect(failure == null ? Level.INFO : Level.WARNING, logger,
        failure == null ? "member " + name + " stopped" : "member " + name + " did not stop cleanly: " + failure);
  }

  /** Waits at most SHUTDOWN_TIMEOUT_SECONDS; returns null on success, else what went wrong. */
  private static String await(Future<Void> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return null;
    } catch (TimeoutException e) {
      return "timed out after " + SHUTDOWN_TIMEOUT_SECONDS + " s";
    } catch (ExecutionException e) {
      return String.valueOf(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }
}
