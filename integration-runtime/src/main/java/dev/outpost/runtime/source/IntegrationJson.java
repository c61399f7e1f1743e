package dev.outpost.runtime.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.runtime.deploy.DeployException;
import dev.outpost.spec.model.Integration;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads one {@code Integration} JSON document (the agent's state file format). */
@ApplicationScoped
public class IntegrationJson {

  private final ObjectMapper mapper;

  IntegrationJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * @throws DeployException when the text is not an integration, with the parser's location
   */
  public Integration read(String json) throws DeployException {
    try {
      Integration integration = mapper.readValue(json, Integration.class);
      if (integration == null) {
        throw new DeployException("integration JSON is empty");
      }
      return integration;
    } catch (JsonProcessingException e) {
      throw new DeployException("invalid integration JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
              + ", column " + e.getLocation().getColumnNr() + ")"));
    }
  }
}
