package io.vetch.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Process-wide java.util.logging setup for the vetch command: the equivalent of
 * conf/logging.properties built in (one {@link ConsoleHandler} on stderr with
 * {@link LogFormatter}), the root level from etcd's --log-level. When the JVM is started with
 * {@code -Djava.util.logging.config.file=...}, that file governs and nothing is changed here.
 * Called once from {@link Main} before anything logs; not for embedded use.
 */
final class Logging {
  private Logging() {}

  /** etcd's --log-level to a JUL level: debug FINE, info INFO, warn WARNING, the rest SEVERE. */
  static Level julLevel(String etcdLevel) {
    return switch (etcdLevel) {
      case "debug" -> Level.FINE;
      case "info" -> Level.INFO;
      case "warn" -> Level.WARNING;
      default -> Level.SEVERE;
    };
  }

  static void configure(String etcdLevel) {
    if (System.getProperty("java.util.logging.config.file") != null) return;
    Level level = julLevel(etcdLevel);
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler console = new ConsoleHandler();
    console.setFormatter(new LogFormatter());
    console.setLevel(Level.ALL);
    root.addHandler(console);
    root.setLevel(level);
    // Chronicle's own chatter: its start-up banner, and a warning on every open, because the store always opens its
    // maps with recoverPersistedTo (the only safe way after a kill -9; this process alone opens them).
    QUIET.setLevel(level.intValue() > Level.WARNING.intValue() ? level : Level.WARNING);
    QUIET_RECOVERY.setLevel(Level.SEVERE);
  }

  /** Held strongly: JUL keeps only weak references to loggers, and their levels would be lost. */
  private static final Logger QUIET = Logger.getLogger("net.openhft");
  private static final Logger QUIET_RECOVERY = Logger.getLogger("net.openhft.chronicle.map.ChronicleMapBuilder");

  /**
   * Writes one record straight to stderr in the same format, bypassing the LogManager. For
   * shutdown hooks: the JDK resets the LogManager (closing its handlers) in its own hook.
   */
  static void emitDirect(Level level, String loggerName, String message) {
    LogRecord r = new LogRecord(level, message);
    r.setLoggerName(loggerName);
    System.err.print(new LogFormatter().format(r));
    System.err.flush();
  }
}
