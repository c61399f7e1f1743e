package dev.outpost.runtime.deploy;

import dev.outpost.runtime.secret.SecretStore;
import dev.outpost.spec.model.SecretRef;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Deploys a running integration again when a secret it read has changed (rotated, or removed) since
 * it was given the value: values are read once, at deploy, so without this it went on calling its
 * backend with the old credential until something else redeployed it; in Kubernetes the kubelet
 * updates a Secret volume's files in place and no rollout follows. The new version takes over as in
 * any upgrade, with no request failing. If it cannot deploy (the secret is gone), the running one
 * stays and is reported Ready with the reason as its message, not Failed: in a pod of a single
 * integration Failed makes the pod unready, and every pod of the integration sees the same Secret,
 * so all would stop serving at once although the running version does. It is not tried again until
 * the values change again.
 */
@ApplicationScoped
public class SecretRotation {
  private static final Logger LOG = Logger.getLogger(SecretRotation.class);

  private final IntegrationDeployer deployer;
  private final SecretStore secrets;
  private static final String COULD_NOT_DEPLOY =
      "a secret changed and the integration could not be deployed with it, so it runs with the values it had: ";

  /** The values last deployed for, by integration, so one that cannot deploy is not tried every scan. */
  private final Map<String, Map<SecretRef, String>> tried = new HashMap<>();

  SecretRotation(IntegrationDeployer deployer, SecretStore secrets) {
    this.deployer = deployer;
    this.secrets = secrets;
  }

  /** Deploys again each running integration whose secrets now read otherwise; call it when {@link SecretStore#stamp} changes. */
  public synchronized void redeployChanged() {
    for (Deployment running : deployer.deployments().values()) {
      if (running.secretsRead().isEmpty()) {
        continue;
      }
      Map<SecretRef, String> now = new HashMap<>();
      running.secretsRead().keySet().forEach(ref -> now.put(ref, readOrNull(ref)));
      if (now.equals(running.secretsRead())) {
        if (tried.remove(running.name()) != null) {
          // back to the values it runs with (a secret removed, then restored): no failure to report
          deployer.withdrawFailureMessage(running, COULD_NOT_DEPLOY);
        }
        continue;
      }
      if (now.equals(tried.get(running.name()))) {
        continue;
      }
      tried.put(running.name(), now);
      LOG.infof("a secret of integration %s changed: deploying version %s again with it", running.name(),
          running.integration().version());
      deployer.deployAgain(running, COULD_NOT_DEPLOY);
    }
    tried.keySet().removeIf(name -> deployer.deployment(name).isEmpty());
  }

  private String readOrNull(SecretRef ref) {
    try {
      return secrets.read(ref);
    } catch (DeployException missing) {
      return null;
    }
  }
}
