package dev.outpost.observability.query;

import dev.outpost.observability.security.CallerScope;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

  /** One of each form, made once. */
  private static final Map<Class<? extends ErrorForm>, ErrorForm> FORMS = new ConcurrentHashMap<>();

  @ServerRequestFilter
  public Response take(ContainerRequestContext context, ResourceInfo resource) {
    if (resource.getResourceMethod() == null) {
      return null;
    }
    SearchEndpoint endpoint = resource.getResourceMethod().getAnnotation(SearchEndpoint.class);
    if (endpoint == null) {
      endpoint = resource.getResourceClass().getAnnotation(SearchEndpoint.class);
    }
    if (endpoint == null) {
      return null;
    }
    SearchSlots.Slot slot;
    try {
      slot = slots.take(caller.subject());
    } catch (ApiException refused) {
      // answered here, in the endpoint's own API's form (a filter may not abort otherwise)
      return FORMS.computeIfAbsent(endpoint.errors(), SearchSlotFilter::form).answer(refused);
    }
    context.setProperty(SLOT, slot);
    request.getCurrent().addEndHandler(ended -> slot.close());
    return null; // on to the endpoint
  }

  private static ErrorForm form(Class<? extends ErrorForm> type) {
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type + " needs a public constructor without arguments", e);
    }
  }

  @ServerResponseFilter
  public void giveBack(ContainerRequestContext context) {
    if (context.getProperty(SLOT) instanceof SearchSlots.Slot slot) {
      slot.close();
    }
  }
}
