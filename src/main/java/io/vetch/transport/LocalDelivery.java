package io.vetch.transport;

import io.vertx.core.eventbus.DeliveryOptions;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivery options naming the by-reference codec of a message type (server.bus.LocalCodec registers one per type
 * under {@link #codecName}): the event bus then finds the codec by name instead of testing the body against its
 * built-in types first. The options are shared: never modify them.
 */
public final class LocalDelivery {
  private static final ConcurrentHashMap<Class<?>, DeliveryOptions> OPTIONS = new ConcurrentHashMap<>();

  private LocalDelivery() {}

  /** The name the codec for type is registered under. */
  public static String codecName(Class<?> type) {
    return "vetch-local-" + type.getName();
  }

  /** Options for sending a body of exactly this type. */
  public static DeliveryOptions of(Class<?> type) {
    DeliveryOptions o = OPTIONS.get(type);
    return o != null ? o : OPTIONS.computeIfAbsent(type, t -> new DeliveryOptions().setCodecName(codecName(t)));
  }
}
