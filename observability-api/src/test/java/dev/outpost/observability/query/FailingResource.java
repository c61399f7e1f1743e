package dev.outpost.observability.query;

import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Test only (Quarkus serves the resources of the test sources too): endpoints that fail with what
 * the query's own code can meet and cannot foresee, as the query API's endpoints would, each way an
 * endpoint answers: a worker thread, the event loop, a {@code Uni}, a server-sent stream.
 */
@Path("/api/test/failing/{kind}")
@Produces(MediaType.APPLICATION_JSON)
public class FailingResource {

  /** What each {@code kind} throws: Lucene's and the JVM's errors, and an unexpected exception. */
  static Throwable failure(String kind) {
    return switch (kind) {
      // a memory-mapped index file cut short under a search
      case "internal-error" -> new InternalError("a fault occurred in an unsafe memory access operation");
      // Lucene's own checks, with assertions on
      case "assertion-error" -> new AssertionError("docs out of order: 7 <= 9");
      case "stack-overflow" -> new StackOverflowError();
      case "out-of-memory" -> new OutOfMemoryError("Java heap space");
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

  @GET
  @Path("/uni")
  public Uni<String> failedUni(@RestPath String kind) {
    return Uni.createFrom().failure(() -> failure(kind));
  }

  /** As {@link LogsResource#tail} fails before its stream starts. */
  @GET
  @Path("/tail")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  public Multi<String> tail(@RestPath String kind) {
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
