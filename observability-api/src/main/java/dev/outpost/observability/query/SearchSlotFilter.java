package dev.outpost.observability.query;

import dev.outpost.observability.security.CallerScope;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Holds a {@link SearchSlots} place for each call of a {@link SearchEndpoint}, from after its token
 * is verified until its answer is made; the request's end gives it back too, should a failure skip
 * the response filter (a place never given back would refuse its caller for good).
 */
public class SearchSlotFilter {

  private static final String SLOT = SearchSlotFilter.class.getName();

  @Inject SearchSlots slots;
  @Inject CallerScope caller;
  @Inject CurrentVertxRequest request;

  @ServerRequestFilter
  public void take(ContainerRequestContext context, ResourceInfo resource) {
    if (resource.getResourceMethod() == null || !(resource.getResourceMethod().isAnnotationPresent(SearchEndpoint.class)
        || resource.getResourceClass().isAnnotationPresent(SearchEndpoint.class))) {
      return;
    }
    SearchSlots.Slot slot = slots.take(caller.subject());
    context.setProperty(SLOT, slot);
    request.getCurrent().addEndHandler(ended -> slot.close());
  }

  @ServerResponseFilter
  public void giveBack(ContainerRequestContext context) {
    if (context.getProperty(SLOT) instanceof SearchSlots.Slot slot) {
      slot.close();
    }
  }
}
