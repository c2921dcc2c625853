package io.vetch.v2;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** JSON text exactly as Go 1.19's encoding/json writes it (etcd 3.4.23 is built with it): strings and times. */
public final class GoJson {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoJson() {
  }

  /**
   * Appends {@code s} quoted the way Go's json.Marshal does: {@code \"}, {@code \\}, {@code \n}, {@code \r},
   * {@code \t}, every other control character and {@code < > &} U+2028 U+2029 as six-character escapes (backslash, u, four digits
   * of lowercase hex), a lone surrogate (invalid UTF-8 to Go) as the escape of U+FFFD, everything else as is.
   */
  /** {@code s} as a JSON string, quoted as {@link #string(StringBuilder, String)} does. */
  public static String string(String s) {
    return string(new StringBuilder(s.length() + 2), s).toString();
  }

  public static StringBuilder string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            b.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15])
                .append(HEX[c & 15]);
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            b.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            b.append("\\ufffd");
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"');
  }

  /**
   * Unix nanoseconds as Go's time.Time marshals in UTC (RFC 3339 with nanoseconds, trailing zeros of the fraction
   * dropped, no fraction when it is zero): {@code 2026-12-03T14:05:22.1174846Z}.
   */
  public static String time(long unixNanos) {
    long seconds = Math.floorDiv(unixNanos, 1_000_000_000L);
    int nanos = (int) Math.floorMod(unixNanos, 1_000_000_000L);
    LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(30);
    pad(b, t.getYear(), 4).append('-');
    pad(b, t.getMonthValue(), 2).append('-');
    pad(b, t.getDayOfMonth(), 2).append('T');
    pad(b, t.getHour(), 2).append(':');
    pad(b, t.getMinute(), 2).append(':');
    pad(b, t.getSecond(), 2);
    if (nanos != 0) {
      StringBuilder f = pad(new StringBuilder(9), nanos, 9);
      int end = f.length();
      while (f.charAt(end - 1) == '0') {
        end--;
      }
      b.append('.').append(f, 0, end);
    }
    return b.append('Z').toString();
  }

  private static StringBuilder pad(StringBuilder b, int v, int width) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }
}
