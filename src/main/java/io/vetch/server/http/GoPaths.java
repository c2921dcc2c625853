package io.vetch.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** Go's path handling as etcd's v2 HTTP API sees it: path.Clean, path.Join, ServeMux's cleanPath, URL path decoding. */
final class GoPaths {
  private GoPaths() {}

  /** path.Clean: one slash between names, no "." names, ".." resolved (and dropped at the root); "" is ".". */
  static String clean(String p) {
    if (p.isEmpty()) {
      return ".";
    }
    boolean rooted = p.charAt(0) == '/';
    Deque<String> names = new ArrayDeque<>();
    for (String name : p.split("/", -1)) {
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        if (!names.isEmpty() && !names.peekLast().equals("..")) {
          names.removeLast();
        } else if (!rooted) {
          names.addLast("..");
        }
        continue;
      }
      names.addLast(name);
    }
    String joined = String.join("/", names);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }

  /** path.Join(a, b): the non-empty ones joined with "/", cleaned. */
  static String join(String a, String b) {
    if (a.isEmpty() && b.isEmpty()) {
      return "";
    }
    return clean(a.isEmpty() ? b : b.isEmpty() ? a : a + "/" + b);
  }

  /** net/http's cleanPath: rooted, cleaned, a trailing slash kept; a request on another path is redirected there. */
  static String cleanPath(String p) {
    if (p.isEmpty()) {
      return "/";
    }
    if (p.charAt(0) != '/') {
      p = "/" + p;
    }
    String np = clean(p);
    if (p.endsWith("/") && !np.equals("/")) {
      np += "/";
    }
    return np;
  }

  /** A raw URL path percent-decoded as Go's url.PathUnescape does ('+' stays), or null if an escape is bad. */
  static String unescapePath(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); ) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
            || Character.digit(raw.charAt(i + 2), 16) < 0) {
          return null;
        }
        out.write(Character.digit(raw.charAt(i + 1), 16) << 4 | Character.digit(raw.charAt(i + 2), 16));
        i += 3;
      } else {
        out.write(c);
        i++;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
