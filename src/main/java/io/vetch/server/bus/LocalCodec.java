package io.vetch.server.bus;

import io.vetch.transport.ForwardedProposal;
import io.vetch.transport.RaftMessages;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.List;

/**
 * Passes an immutable object across the event bus by reference: the bus never leaves this process.
 * Encoding to the wire is refused, so a message sent to a clustered bus fails loudly instead of silently copying.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
  /** Every type that crosses a member's event bus. */
  private static final List<Class<?>> TYPES = List.of(
      Proposals.class, ProposalResults.class, StorageBatch.class, Applied.class, Persisted.class,
      ReadIndexRequest.class,
      io.vetch.api.raftpb.Message.class, RaftMessages.class, ForwardedProposal.class,
      io.vetch.transport.PeerMap.class, io.vetch.transport.OutboundSnapshot.class,
      io.vetch.transport.InboundSnapshot.class, StorageImage.class, WatchEvents.class,
      io.vetch.transport.ForwardedKeepAlive.class, ClientCall.class);

  private final String name;

  private LocalCodec(Class<T> type) {
    this.name = io.vetch.transport.LocalDelivery.codecName(type);
  }

  /** Registers the codecs once per Vert.x instance (several members may share one). */
  public static synchronized void registerAll(Vertx vertx) {
    for (Class<?> type : TYPES) {
      register(vertx, type);
    }
  }

  private static <T> void register(Vertx vertx, Class<T> type) {
    try {
      vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another member in this Vert.x instance registered it
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException("vetch messages are local to the process");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("vetch messages are local to the process");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
