package dev.outpost.controlplane;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jboss.resteasy.reactive.RestPath;

/**
 * Test only (Quarkus serves the resources of the test sources too): endpoints that fail with what the
 * control plane's own code can meet and does not map, on a worker thread (as every endpoint of the API
 * answers) and on the event loop. Under {@code /v1/test}, which no endpoint of the API takes; no token,
 * as it has nothing to protect.
 */
@Path("/v1/test/failing/{kind}")
@Produces(MediaType.APPLICATION_JSON)
public class FailingResource {

  /** What each {@code kind} throws. */
  static Throwable failure(String kind) {
    return switch (kind) {
      // StateStore's, when the state cannot be written (a full disk): its message names the file
      case "state-not-kept" -> new UncheckedIOException("cannot keep the state in /home/someone/outpost/state.json",
          new IOException("No space left on device"));
      // a state too large for the heap (StateStore once made one)
      case "out-of-memory" -> new OutOfMemoryError("Java heap space");
      case "stack-overflow" -> new StackOverflowError();
      case "runtime-exception" -> new IllegalStateException("unexpected state in dev.outpost.Thing");
      default -> throw new IllegalArgumentException(kind);
    };
  }

  @GET
  public String onWorker(@RestPath String kind) {
    throw thrown(kind);
  }

  @GET
  @Path("/event-loop")
  @NonBlocking
  public String onEventLoop(@RestPath String kind) {
    throw thrown(kind);
  }

  private static RuntimeException thrown(String kind) {
    Throwable failure = failure(kind);
    if (failure instanceof Error error) {
      throw error;
    }
    return (RuntimeException) failure;
  }
}
