package dev.outpost.runtime.source;

import dev.outpost.runtime.deploy.DeployException;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads and validates one {@code Integration} JSON document (the agent's state file format). */
@ApplicationScoped
public class IntegrationJson {

  /**
   * @throws DeployException when the text is not a valid integration, naming every problem's field
   */
  public Integration read(String json) throws DeployException {
    try {
      return StateCodec.readIntegration(json);
    } catch (InvalidStateException e) {
      throw new DeployException("invalid integration JSON: " + e.getMessage());
    }
  }
}
