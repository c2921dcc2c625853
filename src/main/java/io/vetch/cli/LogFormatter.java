package io.vetch.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One line per record: {@code 2026-11-22T08:00:00.000Z INFO  [io.vetch.cli.Main] message}, then
 * the stack trace if any. Levels use etcd's names (FINE and below print as DEBUG, WARNING as WARN,
 * SEVERE as ERROR). Stateless and thread-safe; usable from logging.properties.
 */
public final class LogFormatter extends Formatter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Override
  public String format(LogRecord r) {
    StringBuilder sb = new StringBuilder(128)
        .append(TIME.format(r.getInstant() != null ? r.getInstant() : Instant.now())).append(' ')
        .append(String.format("%-5s", levelName(r.getLevel()))).append(" [")
        .append(r.getLoggerName()).append("] ")
        .append(formatMessage(r)).append(System.lineSeparator());
    if (r.getThrown() != null) {
      StringWriter sw = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(sw));
      sb.append(sw);
    }
    return sb.toString();
  }

  static String levelName(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) return "ERROR";
    if (v >= Level.WARNING.intValue()) return "WARN";
    if (v >= Level.INFO.intValue()) return "INFO";
    return "DEBUG";
  }
}
