package io.vetch.v2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Key paths as etcd's v2 store handles them (Go's path package on "/"-rooted paths) and the order it sorts keys in. */
final class V2Path {
  /** Go's string order (bytes of UTF-8), which is code point order: a surrogate pair sorts after every BMP char. */
  static final Comparator<String> ORDER = V2Path::compare;

  private V2Path() {
  }

  /** path.Clean(path.Join("/", p)): rooted, no empty, "." or ".." segments ("/.." is "/"), no trailing slash. */
  static String clean(String p) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = p.length();
    while (i < n) {
      int j = p.indexOf('/', i);
      if (j < 0) {
        j = n;
      }
      String seg = p.substring(i, j);
      if (seg.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
      } else if (!seg.isEmpty() && !seg.equals(".")) {
        out.add(seg);
      }
      i = j + 1;
    }
    return out.isEmpty() ? "/" : "/" + String.join("/", out);
  }

  /** path.Join of a clean directory path and a name. */
  static String join(String dir, String name) {
    return clean(dir + "/" + name);
  }

  /** The last element of a clean path ("" for "/"). */
  static String base(String clean) {
    return clean.substring(clean.lastIndexOf('/') + 1);
  }

  /** The directory of a clean path, with its trailing slash as path.Split leaves it ("/a/" for "/a/b"). */
  static String dir(String clean) {
    return clean.substring(0, clean.lastIndexOf('/') + 1);
  }

  static int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        boolean sx = Character.isSurrogate(x);
        if (sx != Character.isSurrogate(y)) {
          return sx ? 1 : -1;
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  /**
   * etcd's isHidden for watchers: whether the part of {@code key} below {@code watchPath} has a segment starting
   * with "_" (never, when the watched path is deeper than the key, as for a deleted directory's children).
   */
  static boolean hiddenBelow(String watchPath, String key) {
    if (watchPath.length() > key.length()) {
      return false;
    }
    return clean("/" + key.substring(watchPath.length())).contains("/_");
  }
}
