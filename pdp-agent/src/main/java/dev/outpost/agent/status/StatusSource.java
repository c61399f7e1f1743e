package dev.outpost.agent.status;


/**
 * Reads what actually runs, from the components themselves (management endpoints) or from the
 * cluster (Deployment status). Never throws: what cannot be read is reported as unknown.
 */
public interface StatusSource {

  /** One entry per integration the runtime knows of, by name, or why they could not be read. */
  IntegrationsSeen integrations();

  /** What the gateway serves. */
  RoutesStatus routes();

  /**
   * This agent starts applying (at its start, or leading again): whatever it timed before is not
   * known to have lasted while it did not look. Nothing by default.
   */
  default void forgetTimings() {}
}
