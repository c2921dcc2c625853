package io.vetch.server;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * etcd's publish: once a leader exists, this member proposes its attributes (name, client URLs) through Raft, and
 * again every retryTicks ticks until they are applied. Plain state on the raft verticle's context; not thread-safe.
 */
final class AttributesPublisher {
  /** Ticks between attempts until the attributes are applied. */
  static final int RETRY_TICKS = 10;
  private final int retryTicks;
  private final Supplier<byte[]> attributes;
  private final BooleanSupplier published;
  private int wait;

  /** attributes makes the proposal; published says whether this member's attributes have been applied. */
  AttributesPublisher(Supplier<byte[]> attributes, BooleanSupplier published) {
    this(RETRY_TICKS, attributes, published);
  }

  AttributesPublisher(int retryTicks, Supplier<byte[]> attributes, BooleanSupplier published) {
    this.retryTicks = retryTicks;
    this.attributes = attributes;
    this.published = published;
  }

  /** One tick, with the member known to lead (0 for none): the proposal to make now, or null. */
  byte[] tick(long leader) {
    if (wait-- > 0 || leader == 0 || published.getAsBoolean()) {
      return null;
    }
    wait = retryTicks;
    return attributes.get();
  }
}
