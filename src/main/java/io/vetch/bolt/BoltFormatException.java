package io.vetch.bolt;

import java.io.IOException;

/** A file is not a valid bbolt database; the message names what is wrong and where (page id, byte offset). */
public final class BoltFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public BoltFormatException(String message) {
    super(message);
  }
}
