package io.vetch.server.v2stats;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** Numbers, times and durations as Go's encoding/json and fmt write them, for stats bodies identical to etcd's. */
final class GoValues {
  private GoValues() {}

  /** A float64 as encoding/json writes it: the shortest digits, plain below 1e21, exponent form outside [1e-6, 1e21). */
  static String number(double d) {
    if (d == 0) {
      return "0";
    }
    double abs = Math.abs(d);
    BigDecimal v = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    if (abs < 1e-6 || abs >= 1e21) {
      String e = String.format("%e", d); // not Go's shortest digits, but these values never reach here in practice
      return e.replaceAll("e([+-])0?(\\d)", "e$1$2");
    }
    return v.toPlainString();
  }

  /** A time.Time in JSON: RFC 3339 with nanoseconds, trailing zeros trimmed, in the local zone, quoted. */
  static String time(Instant t) {
    ZonedDateTime z = t.atZone(ZoneId.systemDefault());
    StringBuilder b = new StringBuilder("\"");
    b.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", z.getYear(), z.getMonthValue(), z.getDayOfMonth(),
        z.getHour(), z.getMinute(), z.getSecond()));
    fraction(b, z.getNano());
    int offset = z.getOffset().getTotalSeconds();
    if (offset == 0) {
      b.append('Z');
    } else {
      b.append(offset < 0 ? '-' : '+').append(String.format("%02d:%02d", Math.abs(offset) / 3600,
          Math.abs(offset) / 60 % 60));
    }
    return b.append('"').toString();
  }

  /** time.Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
  static String duration(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long u = nanos;
    if (u < 0) {
      b.append('-');
      u = -u;
    }
    if (u < 1_000_000_000L) {
      String unit;
      long div;
      if (u < 1_000) {
        return b.append(u).append("ns").toString();
      } else if (u < 1_000_000) {
        unit = "µs";
        div = 1_000;
      } else {
        unit = "ms";
        div = 1_000_000;
      }
      b.append(u / div);
      fractionDigits(b, u % div, div);
      return b.append(unit).toString();
    }
    long secs = u / 1_000_000_000L;
    long frac = u % 1_000_000_000L;
    long h = secs / 3600;
    long m = secs / 60 % 60;
    long s = secs % 60;
    if (h > 0) {
      b.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      b.append(m).append('m');
    }
    b.append(s);
    fractionDigits(b, frac, 1_000_000_000L);
    return b.append('s').toString();
  }

  private static void fraction(StringBuilder b, int nanos) {
    fractionDigits(b, nanos, 1_000_000_000L);
  }

  /** ".ddd" of frac/div with trailing zeros trimmed; nothing when frac is 0. */
  private static void fractionDigits(StringBuilder b, long frac, long div) {
    if (frac == 0) {
      return;
    }
    int width = Long.toString(div).length() - 1;
    String digits = String.format("%0" + width + "d", frac).replaceAll("0+$", "");
    b.append('.').append(digits);
  }

}
