package io.vetch.server.http;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Splits a byte stream of concatenated JSON objects (a streaming gateway call's body: one request after another)
 * into one string per top-level object. Whitespace between objects is skipped; anything else between them is
 * reported as malformed.
 */
final class JsonObjects {
  private final Consumer<String> onObject;
  private final Consumer<String> onMalformed;
  private final int maxBytes;
  private final ByteArrayOutputStream current = new ByteArrayOutputStream();
  private int depth;
  private boolean inString;
  private boolean escaped;
  private boolean failed;

  JsonObjects(int maxBytes, Consumer<String> onObject, Consumer<String> onMalformed) {
    this.maxBytes = maxBytes;
    this.onObject = onObject;
    this.onMalformed = onMalformed;
  }

  void feed(Buffer chunk) {
    for (int i = 0; i < chunk.length() && !failed; i++) {
      byte b = chunk.getByte(i);
      if (depth == 0) {
        if (b == '{') {
          depth = 1;
          current.write(b);
        } else if (!Character.isWhitespace(b)) {
          fail("invalid character '" + (char) b + "' looking for beginning of value");
        }
        continue;
      }
      current.write(b);
      if (current.size() > maxBytes) {
        fail("request is too large");
      } else if (inString) {
        if (escaped) {
          escaped = false;
        } else if (b == '\\') {
          escaped = true;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{') {
        depth++;
      } else if (b == '}' && --depth == 0) {
        String obj = current.toString(java.nio.charset.StandardCharsets.UTF_8);
        current.reset();
        onObject.accept(obj);
      }
    }
  }

  /** The body ended: a partly sent object is malformed. */
  void end() {
    if (depth > 0 && !failed) {
      fail("unexpected EOF");
    }
  }

  private void fail(String why) {
    failed = true;
    onMalformed.accept(why);
  }
}
