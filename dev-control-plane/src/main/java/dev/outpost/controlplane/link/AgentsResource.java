package dev.outpost.controlplane.link;

import dev.outpost.controlplane.ApiError;
import dev.outpost.controlplane.Tokens;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code GET /v1/agents}: each agent's connection, revisions, last rejection and status. */
@Path("/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
public class AgentsResource {
  private final AgentConnections connections;
  private final Tokens tokens;

  public AgentsResource(AgentConnections connections, Tokens tokens) {
    this.connections = connections;
    this.tokens = tokens;
  }

  @GET
  public Response agents(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    if (!tokens.isAdmin(authorization)) {
      return ApiError.unauthorized("the admin bearer token is required");
    }
    return Response.ok(connections.agents()).build();
  }
}
