package dev.outpost.observability.explorer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * The explorer is static (META-INF/resources/explorer/): it reads the query API with the token the
 * user pastes, from this origin or another one. This sends {@code /explorer} to the page itself.
 */
@Path("/explorer")
public class ExplorerResource {

  @GET
  public Response page() {
    return Response.seeOther(URI.create("/explorer/")).build();
  }
}
