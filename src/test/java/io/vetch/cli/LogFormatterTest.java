package io.vetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogFormatterTest {

  @Test
  void oneLinePerRecord() {
    LogRecord r = new LogRecord(Level.INFO, "member {0} ready");
    r.setParameters(new Object[] {"m1"});
    r.setLoggerName("io.vetch.cli.Main");
    r.setInstant(Instant.parse("2026-11-22T08:00:00Z"));
    assertEquals("2026-11-22T08:00:00.000Z INFO  [io.vetch.cli.Main] member m1 ready" + System.lineSeparator(),
        new LogFormatter().format(r));
  }

  @Test
  void etcdLevelNamesAndStackTrace() {
    LogRecord r = new LogRecord(Level.WARNING, "boom");
    r.setLoggerName("x");
    r.setThrown(new IllegalStateException("cause here"));
    String s = new LogFormatter().format(r);
    assertTrue(s.contains(" WARN  [x] boom"), s);
    assertTrue(s.contains("java.lang.IllegalStateException: cause here"), s);
    assertEquals("DEBUG", LogFormatter.levelName(Level.FINE));
    assertEquals("ERROR", LogFormatter.levelName(Level.SEVERE));
  }

  @Test
  void logLevelMapping() {
    assertEquals(Level.FINE, Logging.julLevel("debug"));
    assertEquals(Level.INFO, Logging.julLevel("info"));
    assertEquals(Level.WARNING, Logging.julLevel("warn"));
    assertEquals(Level.SEVERE, Logging.julLevel("error"));
    assertEquals(Level.SEVERE, Logging.julLevel("fatal"));
  }
}
