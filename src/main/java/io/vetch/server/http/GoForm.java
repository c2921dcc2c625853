package io.vetch.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's form as Go's net/http builds it (Request.ParseForm, url.ParseQuery), since etcd's v2 API answers with
 * its exact errors: the url-encoded body of a POST, PUT or PATCH first, then the query string; '&' separates pairs,
 * a ';' in a pair is an error, '+' is a space, a bad '%' escape an error naming it. Parsing goes on past an error, as
 * Go's does: the values parsed are kept, the error is the first one (a ';' error replaces an earlier one).
 */
final class GoForm {
  /** Go's limit on a url-encoded body (10 MB is a lot of text). */
  static final int MAX_FORM_BYTES = 10 << 20;

  private final Map<String, List<String>> values = new LinkedHashMap<>();
  private String error;

  private GoForm() {}

  /**
   * The form of a request: body (null when none was read) is parsed for POST, PUT and PATCH with an url-encoded
   * content type; bodyTooLarge says it was cut at {@link #MAX_FORM_BYTES}.
   */
  static GoForm parse(String method, String contentType, byte[] body, boolean bodyTooLarge, String rawQuery) {
    GoForm f = new GoForm();
    if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      String ct = contentType == null || contentType.isEmpty() ? "application/octet-stream" : contentType;
      int semi = ct.indexOf(';');
      String media = (semi >= 0 ? ct.substring(0, semi) : ct).trim().toLowerCase(java.util.Locale.ROOT);
      if (media.isEmpty()) {
        f.error = "mime: no media type";
      } else if (media.equals("application/x-www-form-urlencoded")) {
        if (bodyTooLarge) {
          f.error = "http: POST too large";
        } else {
          f.parseQuery(body == null ? "" : new String(body, StandardCharsets.ISO_8859_1));
        }
      }
    }
    if (rawQuery != null) {
      f.parseQuery(rawQuery);
    }
    return f;
  }

  /** The first parse error, as Go words it, or null. */
  String error() {
    return error;
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  /** The first value of key, or "" (Go's FormValue). */
  String value(String key) {
    List<String> v = values.get(key);
    return v == null ? "" : v.get(0);
  }

  /** url.ParseQuery on text whose chars are bytes (ISO-8859-1); values come out decoded as UTF-8. */
  private void parseQuery(String query) {
    while (!query.isEmpty()) {
      String key = query;
      int amp = key.indexOf('&');
      if (amp >= 0) {
        query = key.substring(amp + 1);
        key = key.substring(0, amp);
      } else {
        query = "";
      }
      if (key.indexOf(';') >= 0) {
        error = "invalid semicolon separator in query";
        continue;
      }
      if (key.isEmpty()) {
        continue;
      }
      String value = "";
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      }
      String k = unescape(key);
      if (k == null) {
        continue;
      }
      String v = unescape(value);
      if (v == null) {
        continue;
      }
      values.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
  }

  /** url.QueryUnescape, or null with the error noted (the first one) when an escape is bad. */
  private String unescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); ) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
          String bad = s.substring(i, Math.min(s.length(), i + 3));
          if (error == null) {
            error = "invalid URL escape " + quote(bad);
          }
          return null;
        }
        out.write(hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
        i += 3;
      } else {
        out.write(c == '+' ? ' ' : c);
        i++;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** strconv.Quote of a few bytes (chars below 256). */
  private static String quote(String bytes) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : bytes.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else {
        b.append(String.format("\\x%02x", (int) c));
      }
    }
    return b.append('"').toString();
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
}
